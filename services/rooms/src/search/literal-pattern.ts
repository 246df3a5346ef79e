/** Characters with a meaning in PCRE (MongoDB) and RE2 (FerretDB) patterns. */
const PATTERN_SYNTAX = /[\\^$.*+?()[\]{}|/-]/g;

/**
 * A regular-expression source that matches `text` literally. Search input reaches the database
 * only through this, so "a.*" finds names containing "a.*" and cannot turn into a pattern that
 * matches everything or backtracks for seconds.
 */
export function literalPattern(text: string): string {
  return text.replace(PATTERN_SYNTAX, '\\$&');
}
