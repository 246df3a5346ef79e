/**
 * Room names as the lobby search sees them (the rooms service indexes them, the web applies live
 * events with the same rule): lower-cased, accents dropped, split into words of letters and
 * digits. Search matches the start of words ("ches" finds "Friday chess club"), so each word is
 * indexed under each of its prefixes; words are cut at MAX_INDEXED_PREFIX characters, which
 * bounds the index (a name is at most 80 characters) at the cost of treating two words that share
 * their first 20 characters as the same.
 */
export const MAX_INDEXED_PREFIX = 20;
/** A query with more words than this is cut: every word narrows the result, so the rest add little. */
export const MAX_QUERY_WORDS = 8;

const COMBINING_MARKS = /\p{M}+/gu;
const NOT_A_WORD_CHARACTER = /[^\p{L}\p{N}]+/u;

/** The distinct words of `text`, normalized and cut to MAX_INDEXED_PREFIX characters, in order. */
export function wordsOf(text: string): string[] {
  const words = text.normalize('NFKD').replace(COMBINING_MARKS, '').toLowerCase().split(NOT_A_WORD_CHARACTER);
  return [...new Set(words.filter((word) => word.length > 0).map((word) => [...word].slice(0, MAX_INDEXED_PREFIX).join('')))];
}

/** Every prefix of every word of a room name: the keys the room is indexed under. */
export function namePrefixes(name: string): string[] {
  const prefixes = new Set<string>();
  for (const word of wordsOf(name)) {
    const characters = [...word];
    for (let length = 1; length <= characters.length; length++) prefixes.add(characters.slice(0, length).join(''));
  }
  return [...prefixes];
}

/**
 * The prefixes a search looks up: one per query word, without words that another query word
 * already starts with ("ch chess" needs only "chess"). Empty when the query has no letter or
 * digit, which matches nothing.
 */
export function searchPrefixes(query: string): string[] {
  const words = wordsOf(query).slice(0, MAX_QUERY_WORDS);
  return words.filter((word) => !words.some((other) => other !== word && other.startsWith(word))).sort();
}

/** Whether a room name matches a search: every query word starts one of the name's words. */
export function nameMatchesSearch(name: string, query: string): boolean {
  const prefixes = searchPrefixes(query);
  if (prefixes.length === 0) return false;
  const words = wordsOf(name);
  return prefixes.every((prefix) => words.some((word) => word.startsWith(prefix)));
}
