import WebSocket from 'ws';
import { lobbyEventSchema, lobbyReadyMessageSchema, type LobbyEvent, type LobbyReadyMessage } from '@meshcall/shared';

export type LobbyMessage = LobbyEvent | LobbyReadyMessage;

/** A lobby client over a real WebSocket, with a queue so tests can await the next message. */
export class LobbyClient {
  private readonly queue: LobbyMessage[] = [];
  private waiter: ((message: LobbyMessage) => void) | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const raw = JSON.parse(data.toString()) as unknown;
      const ready = lobbyReadyMessageSchema.safeParse(raw);
      const message = ready.success ? ready.data : lobbyEventSchema.parse(raw);
      if (this.waiter) {
        const resolve = this.waiter;
        this.waiter = undefined;
        resolve(message);
      } else {
        this.queue.push(message);
      }
    });
    this.closed = new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async open(baseUrl: string, options: { path?: string; origin?: string } = {}): Promise<LobbyClient> {
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}${options.path ?? '/live'}`, options.origin ? { origin: options.origin } : {});
    const client = new LobbyClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused with ${response.statusCode}`)));
    });
    return client;
  }

  /** Opens, authenticates and waits for `ready`. */
  static async signedIn(baseUrl: string, token: string): Promise<LobbyClient> {
    const client = await LobbyClient.open(baseUrl);
    client.send({ type: 'auth', token });
    const ready = await client.next();
    if (ready.type !== 'ready') throw new Error(`expected ready, got ${ready.type}`);
    return client;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next message; fails after `timeoutMs` so a missing event is a clear failure, not a hang. */
  next(timeoutMs = 5_000): Promise<LobbyMessage> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no lobby message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = (message) => {
        clearTimeout(timer);
        resolve(message);
      };
    });
  }

  close(): void {
    this.socket.close();
  }
}
