import { z } from 'zod';

/** `GET /healthz` and `GET /readyz` bodies of every service. */
export const healthResponseSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  service: z.string(),
  /** Per-dependency state, present on /readyz. */
  checks: z.record(z.string(), z.enum(['ok', 'down'])).optional(),
});
export type HealthResponse = z.infer<typeof healthResponseSchema>;
