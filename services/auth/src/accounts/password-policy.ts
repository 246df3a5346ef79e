import { dictionary } from '@zxcvbn-ts/language-common';
import { AppError, ErrorCode, contextualPasswordProblem, type PasswordContext } from '@meshcall/shared';

/**
 * The common-password list of @zxcvbn-ts/language-common (MIT): about 49,000 passwords ranked by
 * how often they appeared in public breach corpora, shipped inside the package, so nothing is
 * downloaded at run time. Lower-cased, because changing the case of "Password" fools nobody.
 */
const commonPasswords: ReadonlySet<string> = new Set(dictionary['passwords-common'].map((password) => password.toLowerCase()));

/** Whether the password is on the shipped list of common and breached passwords, in any case. */
export function isCommonPassword(password: string): boolean {
  return commonPasswords.has(password.normalize('NFKC').toLowerCase());
}

/**
 * Refuses a new password NIST SP 800-63B says a verifier must refuse: a commonly used or breached
 * one, one derived from the account (email or name), or one of only spaces. The length bounds are
 * checked earlier, by the body schema. Throws WEAK_PASSWORD naming the rule, for the form to show.
 */
export function assertAcceptablePassword(password: string, context: PasswordContext): void {
  const problem =
    contextualPasswordProblem(password, context) ??
    (isCommonPassword(password) ? 'is one of the most common passwords, which attackers try first' : null);
  if (problem) {
    throw new AppError(ErrorCode.WEAK_PASSWORD, `Choose another password: this one ${problem}.`, [{ path: 'password', message: problem }]);
  }
}
