export interface Notice {
  id: number;
  text: string;
}

const NOTICE_LIFETIME_MS = 6_000;
/** Older notices give way: a burst of joins must not cover the call. */
const MAX_VISIBLE_NOTICES = 4;

/** Short-lived messages about the call ("Bob joined"), each gone after a few seconds. */
export class Notices {
  list = $state<Notice[]>([]);
  #nextId = 0;
  readonly #lifetimeMs: number;

  constructor(lifetimeMs = NOTICE_LIFETIME_MS) {
    this.#lifetimeMs = lifetimeMs;
  }

  push(text: string): void {
    const id = ++this.#nextId;
    this.list = [...this.list.slice(-(MAX_VISIBLE_NOTICES - 1)), { id, text }];
    setTimeout(() => this.dismiss(id), this.#lifetimeMs);
  }

  dismiss(id: number): void {
    this.list = this.list.filter((n) => n.id !== id);
  }
}
