import { directAuth } from '../../src/client/meshcall-api.js';
import type { TestEnvironment } from '../../src/environment/index.js';

/**
 * Signs a fresh user up, then tries one wrong password more than auth's failed-sign-in limit
 * allows (AUTH_RATE_LIMIT_MAX, 5). From a fresh client address, so neither the per-account nor
 * the per-IP budget has been touched by anything else. Returns the statuses in order.
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
