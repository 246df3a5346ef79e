/** setTimeout's ceiling; a later deadline is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const SECOND_MS = 1_000;

/**
 * Deadlines grouped by the whole second they fall in, with one timer per second that has any,
 * however many members share it. Every idle connection has a token deadline, and tokens of one
 * lifetime issued in the same second expire in the same second, so a replica keeps a handful of
 * timers instead of one per connection. A deadline is rounded up to its second: never early,
 * and for JWT times, which are whole seconds, exactly on time.
 */
export class DeadlineBuckets<T> {
  readonly #buckets = new Map<number, { members: Set<T>; timer: NodeJS.Timeout }>();

  constructor(
    private readonly onDue: (member: T) => void,
    private readonly now: () => number,
  ) {}

  add(member: T, atMs: number): void {
    const second = DeadlineBuckets.#secondOf(atMs);
    const bucket = this.#buckets.get(second);
    if (bucket) bucket.members.add(member);
    else this.#buckets.set(second, { members: new Set([member]), timer: this.#arm(second) });
  }

  /** Forgets the member's deadline at `atMs` (the one it was added with); nothing if it has none there. */
  remove(member: T, atMs: number): void {
    const second = DeadlineBuckets.#secondOf(atMs);
    const bucket = this.#buckets.get(second);
    if (!bucket?.members.delete(member) || bucket.members.size > 0) return;
    clearTimeout(bucket.timer);
    this.#buckets.delete(second);
  }

  static #secondOf(atMs: number): number {
    return Math.ceil(atMs / SECOND_MS) * SECOND_MS;
  }

  #arm(second: number): NodeJS.Timeout {
    // Not holding the process open: a replica that stops drops its sockets and their deadlines.
    return setTimeout(() => this.#fire(second), Math.min(Math.max(0, second - this.now()), MAX_TIMER_MS)).unref();
  }

  #fire(second: number): void {
    const bucket = this.#buckets.get(second);
    if (!bucket) return;
    if (this.now() < second) {
      bucket.timer = this.#arm(second);
      return;
    }
    this.#buckets.delete(second);
    for (const member of bucket.members) this.onDue(member);
  }
}
