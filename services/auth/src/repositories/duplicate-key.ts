/** MongoDB's duplicate-key error code; FerretDB reports the same one. */
const DUPLICATE_KEY = 11000;

/** True when an insert lost to an existing document with the same unique key. */
export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === DUPLICATE_KEY;
}
