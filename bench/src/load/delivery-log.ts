import { performance } from 'node:perf_hooks';

/**
 * Send and receive times of one load phase. Sender and receiver sockets both live in this
 * process, so one monotonic clock (performance.now) times each message from the moment it is
 * handed to the client library until the receiving socket's event fires: the whole path through
 * the server, never a clock of another process.
 */
export class DeliveryLog {
  private readonly sentAt = new Map<number, { at: number; pair: number }>();
  readonly latenciesMs: number[] = [];
  readonly failures = new Map<string, number>();
  sent = 0;
  /** performance.now() of the latest delivery. */
  lastDeliveryAt = Number.NaN;

  constructor(
    private readonly firstId: number,
    /** Called with the pair a message belonged to once it arrived or failed (closed-loop loads send the next one). */
    private readonly onSettled?: (pair: number) => void,
  ) {}

  private nextId = 0;

  /** A fresh id for a message about to be sent on `pair`, stamped with the send time. */
  stamp(pair: number): number {
    const id = this.firstId + this.nextId++;
    this.sentAt.set(id, { at: performance.now(), pair });
    this.sent += 1;
    return id;
  }

  /** A message arrived; ids of other phases (stragglers) are ignored. */
  receive(id: number): void {
    const sent = this.sentAt.get(id);
    if (!sent) return;
    this.sentAt.delete(id);
    const now = performance.now();
    this.latenciesMs.push(now - sent.at);
    this.lastDeliveryAt = now;
    this.onSettled?.(sent.pair);
  }

  /** The system refused message `id`: it will not arrive, and counts against the phase. */
  fail(id: number, reason: string): void {
    const sent = this.sentAt.get(id);
    if (!sent) return;
    this.sentAt.delete(id);
    this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
    this.onSettled?.(sent.pair);
  }

  get delivered(): number {
    return this.latenciesMs.length;
  }

  /** Sent but neither delivered nor failed yet. */
  get outstanding(): number {
    return this.sentAt.size;
  }

  get failed(): number {
    let total = 0;
    for (const count of this.failures.values()) total += count;
    return total;
  }

  /** Ids this log hands out stay below this, so the next phase's log starts here. */
  get idCeiling(): number {
    return this.firstId + this.nextId;
  }
}
