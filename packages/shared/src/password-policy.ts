/**
 * The parts of the password policy (NIST SP 800-63B §3.1.1.2) that need no word list, shared by
 * auth and the web's sign-up form. Auth adds the common-password list on top (see
 * services/auth/src/accounts/password-policy.ts): shipping that list to browsers is not worth it.
 */

/** Length in characters (Unicode code points), as NIST counts it and as a person would. */
export function passwordLength(password: string): number {
  return [...password].length;
}

/** What people type as "the same": case, spaces and separators do not make a different password. */
function comparable(value: string): string {
  return value.normalize('NFKC').toLowerCase().replace(/[\s._\-+]/g, '');
}

/** A password that is a known value plus trailing digits or punctuation ("ada.lovelace1!") is that value. */
function withoutTrailingDecoration(value: string): string {
  return value.replace(/[\d!?#*$%&@^~]+$/u, '');
}

export interface PasswordContext {
  /** The account's email, normalised or not. */
  email: string;
  /** The display name. */
  name: string;
}

/**
 * Why this password must not be used given who is choosing it, or null. Refuses passwords made only
 * of whitespace, and the email, its local part or the display name, including trivial variants
 * (other case, spaces or separators, digits or punctuation appended).
 */
export function contextualPasswordProblem(password: string, context: PasswordContext): string | null {
  if (password.trim() === '') return 'must not be only spaces';
  const email = context.email.trim();
  const localPart = email.includes('@') ? email.slice(0, email.lastIndexOf('@')) : email;
  const candidate = comparable(password);
  const stripped = withoutTrailingDecoration(candidate);
  const matches = (value: string) => {
    const known = comparable(value);
    // A short name plus digits ("Jo" → "jo123456") says little about the name; only longer ones count.
    return known.length > 0 && (candidate === known || (known.length >= 4 && stripped === known));
  };
  if (matches(email) || matches(localPart)) return 'must not be your email address';
  if (matches(context.name)) return 'must not be your name';
  return null;
}
