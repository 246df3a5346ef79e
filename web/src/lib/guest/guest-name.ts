import { displayNameSchema } from '@meshcall/shared';

/**
 * The guest's display name as auth will take it (the same shared schema: trimmed, 1 to 60
 * characters), or the sentence to show under the field.
 */
export function checkGuestName(input: string): { ok: true; name: string } | { ok: false; error: string } {
  const parsed = displayNameSchema.safeParse(input);
  if (parsed.success) return { ok: true, name: parsed.data };
  return { ok: false, error: input.trim() === '' ? 'Enter the name others will see.' : 'Use at most 60 characters.' };
}
