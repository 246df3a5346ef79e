import { z } from 'zod';

/** One signal kept for its recipient: `message` is the `signal` payload without its seq. */
export const mailboxEntrySchema = z.object({ seq: z.number().int().positive(), message: z.record(z.string(), z.unknown()) });
export type MailboxEntry = z.infer<typeof mailboxEntrySchema>;

export interface ReplayPlan {
  /** Entries to emit, oldest first. */
  replay: MailboxEntry[];
  /** The client must renegotiate: what it missed cannot be replayed. */
  resync: boolean;
  /** The highest seq the client holds after the replay. */
  deliveredSeq: number;
}

/**
 * Decides what a resumed peer gets: the signals after the last one it saw, if all of them are
 * still kept; otherwise nothing and `resync`. `lastSeen` is the client's own count, or failing
 * that what the previous replica had emitted (undefined when that replica crashed).
 */
export function planReplay(mailbox: MailboxEntry[], currentSeq: number, lastSeen: number | undefined): ReplayPlan {
  if (lastSeen === undefined) return { replay: [], resync: currentSeq > 0, deliveredSeq: currentSeq };
  if (lastSeen > currentSeq) return { replay: [], resync: true, deliveredSeq: currentSeq };
  const missed = mailbox.filter((entry) => entry.seq > lastSeen).sort((a, b) => a.seq - b.seq);
  const complete = missed.length === currentSeq - lastSeen && missed.every((entry, i) => entry.seq === lastSeen + 1 + i);
  if (!complete) return { replay: [], resync: true, deliveredSeq: currentSeq };
  return { replay: missed, resync: false, deliveredSeq: currentSeq };
}
