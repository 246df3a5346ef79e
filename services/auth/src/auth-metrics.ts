import { Counter, type Registry } from 'prom-client';

/** Counters an operator watches for abuse: failed and limited sign-ins, replayed refresh tokens. */
export function createAuthMetrics(registry: Registry) {
  return {
    signIns: new Counter({
      name: 'auth_sign_ins_total',
      help: 'Sign-in attempts by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    registrations: new Counter({
      name: 'auth_registrations_total',
      help: 'Sign-up attempts by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    refreshes: new Counter({
      name: 'auth_refreshes_total',
      help: 'Refresh-token exchanges by outcome; reuse_detected means a family was revoked after a replay',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    guestSessions: new Counter({
      name: 'auth_guest_sessions_total',
      help: 'Guest sessions started (guest tokens issued)',
      registers: [registry],
    }),
  };
}

export type AuthMetrics = ReturnType<typeof createAuthMetrics>;
