import type { WebSocket } from 'ws';
import { LOBBY_OCCUPANCY_BATCH_MAX, LobbyCloseCode, type LobbyEvent, type Occupancy } from '@meshcall/shared';

/** A client that reads slower than this much queued output is dropped instead of buffering without end. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** Pings keep proxies (nginx closes idle upgrades after 60 s) from cutting the socket and reveal dead peers. */
const HEARTBEAT_INTERVAL_MS = 25_000;
/**
 * Occupancy changes are gathered this long and sent as one message: at 100 changes a second a
 * viewer gets 20 messages instead of 100 (issue 15's live lobby), at the cost of up to this much
 * delay, well inside the 250 ms a change may take to reach the viewers.
 */
export const OCCUPANCY_FLUSH_MS = 50;

interface Subscriber {
  alive: boolean;
}

/**
 * The lobby sockets this replica serves, and fan-out of lobby events to them. Only sockets that
 * authenticated are subscribed; events are serialized once per broadcast, not per socket, and
 * occupancy changes are coalesced per OCCUPANCY_FLUSH_MS (the latest count of each room).
 */
export class LobbyHub {
  private readonly subscribers = new Map<WebSocket, Subscriber>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly pendingOccupancy = new Map<string, Occupancy>();
  private occupancyFlush: NodeJS.Timeout | null = null;

  constructor(private readonly onCountChange: (count: number) => void = () => {}) {
    this.heartbeat = setInterval(() => this.checkHeartbeats(), HEARTBEAT_INTERVAL_MS);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.subscribers.size;
  }

  subscribe(socket: WebSocket): void {
    if (this.subscribers.has(socket)) return;
    const subscriber: Subscriber = { alive: true };
    this.subscribers.set(socket, subscriber);
    socket.on('pong', () => {
      subscriber.alive = true;
    });
    socket.once('close', () => this.unsubscribe(socket));
    this.onCountChange(this.subscribers.size);
  }

  unsubscribe(socket: WebSocket): void {
    if (this.subscribers.delete(socket)) this.onCountChange(this.subscribers.size);
  }

  broadcast(event: LobbyEvent): void {
    const frame = JSON.stringify(event);
    for (const socket of this.subscribers.keys()) {
      if (socket.readyState !== socket.OPEN) continue;
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        socket.close(LobbyCloseCode.TooSlow, 'too slow; reconnect');
        this.unsubscribe(socket);
        continue;
      }
      socket.send(frame);
    }
  }

  /** Queues a room's new occupancy for the next `rooms:occupancy` message; a later change replaces an earlier one. */
  queueOccupancy(roomId: string, occupancy: Occupancy): void {
    this.pendingOccupancy.delete(roomId);
    this.pendingOccupancy.set(roomId, occupancy);
    this.occupancyFlush ??= setTimeout(() => this.flushOccupancy(), OCCUPANCY_FLUSH_MS);
  }

  private flushOccupancy(): void {
    this.occupancyFlush = null;
    const changes = [...this.pendingOccupancy].map(([roomId, occupancy]) => ({ roomId, occupancy }));
    this.pendingOccupancy.clear();
    for (let start = 0; start < changes.length; start += LOBBY_OCCUPANCY_BATCH_MAX) {
      this.broadcast({ type: 'rooms:occupancy', changes: changes.slice(start, start + LOBBY_OCCUPANCY_BATCH_MAX) });
    }
  }

  stop(): void {
    clearInterval(this.heartbeat);
    if (this.occupancyFlush) clearTimeout(this.occupancyFlush);
    this.occupancyFlush = null;
    this.pendingOccupancy.clear();
    this.subscribers.clear();
  }

  private checkHeartbeats(): void {
    for (const [socket, subscriber] of this.subscribers) {
      if (!subscriber.alive) {
        socket.terminate();
        this.unsubscribe(socket);
        continue;
      }
      subscriber.alive = false;
      socket.ping();
    }
  }
}
