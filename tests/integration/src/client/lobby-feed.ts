import WebSocket from 'ws';
import { lobbyEventSchema, lobbyReadyMessageSchema, type LobbyEvent } from '@meshcall/shared';
import { EVENT_TIMEOUT_MS } from './signaling-client.js';

/**
 * The lobby's live feed (`/api/rooms/live` through the gateway) as a browser sees it: a WebSocket
 * that authenticates with its first message, then receives room and occupancy events.
 */
export class LobbyFeed {
  readonly events: LobbyEvent[] = [];
  private readonly socket: WebSocket;
  private waiters: Array<() => void> = [];

  private constructor(socket: WebSocket) {
    this.socket = socket;
  }

  static async open(gatewayUrl: string, token: string, timeoutMs = EVENT_TIMEOUT_MS): Promise<LobbyFeed> {
    const url = `${gatewayUrl.replace(/^http/, 'ws')}/api/rooms/live`;
    const socket = new WebSocket(url, { headers: { origin: gatewayUrl } });
    const feed = new LobbyFeed(socket);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`lobby feed not ready within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('open', () => socket.send(JSON.stringify({ type: 'auth', token })));
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once('close', (code, reason) => {
        clearTimeout(timer);
        reject(new Error(`lobby feed closed before ready: ${code} ${reason.toString()}`));
      });
      socket.on('message', (data) => {
        const message: unknown = JSON.parse(data.toString());
        if (lobbyReadyMessageSchema.safeParse(message).success) {
          clearTimeout(timer);
          socket.removeAllListeners('close');
          resolve();
          return;
        }
        const event = lobbyEventSchema.safeParse(message);
        if (event.success) feed.record(event.data);
      });
    });
    return feed;
  }

  /**
   * Head counts announced for one room, in order, with repeats of the same count folded: the
   * occupancy a room was created or updated with, then every occupancy event.
   */
  occupancyHistory(roomId: string): number[] {
    const counts: number[] = [];
    for (const event of this.eventsAbout(roomId)) {
      const count = countIn(event, roomId);
      if (count !== undefined && counts.at(-1) !== count) counts.push(count);
    }
    return counts;
  }

  /** Every event that names the room, whatever its type (an occupancy message names several). */
  eventsAbout(roomId: string): LobbyEvent[] {
    return this.events.filter((event) => {
      if (event.type === 'rooms:occupancy') return event.changes.some((change) => change.roomId === roomId);
      return ('roomId' in event ? event.roomId : event.room.id) === roomId;
    });
  }

  /** Waits until the latest announced head count of the room is `count`. */
  async waitForOccupancy(roomId: string, count: number, timeoutMs = EVENT_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.occupancyHistory(roomId).at(-1) !== count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`lobby never announced ${count} in room ${roomId} within ${timeoutMs} ms (saw ${JSON.stringify(this.occupancyHistory(roomId))})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.close();
  }

  private record(event: LobbyEvent): void {
    this.events.push(event);
    for (const wake of this.waiters.splice(0)) wake();
  }
}

/** The head count an event announces for the room, if it announces one. */
function countIn(event: LobbyEvent, roomId: string): number | undefined {
  switch (event.type) {
    case 'rooms:occupancy':
      return event.changes.find((change) => change.roomId === roomId)?.occupancy.count;
    case 'room:closed':
      return undefined;
    default:
      return event.room.occupancy.count;
  }
}
