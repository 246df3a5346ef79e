import { LobbyCloseCode, lobbyEventSchema, lobbyReadyMessageSchema, type LobbyAuthMessage, type LobbyEvent } from '@meshcall/shared';
import { reconnectDelayMs } from './lobby-events.js';

export type LobbyFeedStatus = 'connecting' | 'live' | 'offline';

export interface LobbyFeedOptions {
  url: string;
  /** A fresh access token; the first message on the socket must carry one. */
  token: () => Promise<string>;
  onEvent: (event: LobbyEvent) => void;
  onStatus: (status: LobbyFeedStatus) => void;
  /** After a reconnect events were missed: refetch the lists. */
  onResync: () => void;
  /** Reconnect attempts before giving up until `retry()`; the lobby shows a button then. */
  maxAttempts?: number;
}

/** The URL of the rooms service's live lobby feed on this origin. */
export function lobbyFeedUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/rooms/live`;
}

/**
 * Live occupancy and room changes from `/api/rooms/live`. Browsers cannot put headers on a
 * WebSocket and URLs end up in logs, so the token is the first message (and again whenever it is
 * refreshed, or the server closes the feed when the old one expires).
 */
export class LobbyFeed {
  readonly #options: LobbyFeedOptions;
  #socket: WebSocket | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #attempts = 0;
  #hasBeenLive = false;
  #stopped = true;

  constructor(options: LobbyFeedOptions) {
    this.#options = options;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#attempts = 0;
    this.#connect();
  }

  /** After giving up: start again from the first attempt. */
  retry(): void {
    this.stop();
    this.start();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const socket = this.#socket;
    this.#socket = null;
    socket?.close(1000, 'lobby closed');
  }

  /** Hands the server a refreshed token so the feed outlives the old one. */
  renewToken(token: string): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#sendAuth(this.#socket, token);
  }

  #connect(): void {
    this.#options.onStatus('connecting');
    const socket = new WebSocket(this.#options.url);
    this.#socket = socket;
    socket.onopen = () => {
      this.#options
        .token()
        .then((token) => {
          if (this.#socket === socket && socket.readyState === WebSocket.OPEN) this.#sendAuth(socket, token);
        })
        .catch(() => socket.close(1000, 'no token'));
    };
    socket.onmessage = (message) => this.#handleMessage(message.data);
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      if (this.#stopped) return;
      this.#scheduleReconnect(event.code);
    };
  }

  #sendAuth(socket: WebSocket, token: string): void {
    const message: LobbyAuthMessage = { type: 'auth', token };
    socket.send(JSON.stringify(message));
  }

  #handleMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return;
    }
    if (lobbyReadyMessageSchema.safeParse(parsed).success) {
      this.#attempts = 0;
      this.#options.onStatus('live');
      if (this.#hasBeenLive) this.#options.onResync();
      this.#hasBeenLive = true;
      return;
    }
    const event = lobbyEventSchema.safeParse(parsed);
    if (event.success) this.#options.onEvent(event.data);
  }

  #scheduleReconnect(closeCode: number): void {
    this.#attempts += 1;
    if (this.#attempts > (this.#options.maxAttempts ?? 8)) {
      this.#options.onStatus('offline');
      return;
    }
    this.#options.onStatus('connecting');
    // A refused token is fixed by the fresh one `token()` fetches on reconnect, so retry quickly.
    const delay = closeCode === LobbyCloseCode.Unauthorized && this.#attempts === 1 ? 0 : reconnectDelayMs(this.#attempts);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (!this.#stopped) this.#connect();
    }, delay);
  }
}
