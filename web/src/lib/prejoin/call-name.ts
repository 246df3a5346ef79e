import { displayNameSchema } from '@meshcall/shared';

/** What the pre-join's name field allows: a name for this call, or why not (a sentence). */
export type CallNameCheck = { ok: true; name: string | undefined } | { ok: false; problem: string };

/**
 * Checks the name typed for this call against the account name rules (`displayNameSchema`, the
 * same the server applies to `room:join`'s `name`). `name` is undefined when it is the account's
 * own name, so nothing extra is sent and the server uses the ticket's.
 */
export function checkCallName(typed: string, accountName: string): CallNameCheck {
  if (typed.trim() === accountName.trim()) return { ok: true, name: undefined };
  const parsed = displayNameSchema.safeParse(typed);
  if (parsed.success) return { ok: true, name: parsed.data };
  return { ok: false, problem: `Your name ${parsed.error.issues[0]?.message ?? 'is not valid'}.` };
}
