import { directAuth } from '../../src/client/meshcall-api.js';
import type { TestEnvironment } from '../../src/environment/index.js';

/**
 * Signs a fresh user up, then tries one wrong password more than auth's failed-sign-in limit
 * allows before backing off (AUTH_SIGN_IN_FREE_FAILURES, 5). From a fresh client address, so
 * neither the account-and-address nor the per-address budget has been touched by anything else.
 * Returns the statuses in order.
 */
export async function wrongPasswordStatuses(environment: TestEnvironment, attempts = 6): Promise<number[]> {
  const auth = directAuth(environment.urls.auth[0] as string);
  const user = await auth.signUp('guessed');
  const statuses: number[] = [];
  for (let i = 0; i < attempts; i++) {
    statuses.push((await auth.login({ email: user.email, password: `wrong-${i}-${user.password}` })).status);
  }
  return statuses;
}
