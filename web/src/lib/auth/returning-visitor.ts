/**
 * Whether this browser has had a session before, so the sign-in page can say "Welcome back" only
 * to people it is true for. A flag, not an account: nothing about who signed in is kept.
 */
const STORAGE_KEY = 'meshcall.signed-in-before';

export function rememberSignedIn(storage: Pick<Storage, 'setItem'> | undefined): void {
  try {
    storage?.setItem(STORAGE_KEY, '1');
  } catch {
    // Private mode or quota: the greeting is a nicety only.
  }
}

export function hasSignedInBefore(storage: Pick<Storage, 'getItem'> | undefined): boolean {
  try {
    return storage?.getItem(STORAGE_KEY) === '1';
  } catch {
    return false;
  }
}

/** The sign-in page's opening line. */
export function signInGreeting(returning: boolean): string {
  return returning ? 'Welcome back. Sign in to start or join a call.' : 'Sign in to start or join a call.';
}
