import type { WebSocket } from 'ws';
import { LobbyCloseCode, type LobbyEvent } from '@meshcall/shared';

/** A client that reads slower than this much queued output is dropped instead of buffering without end. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** Pings keep proxies (nginx closes idle upgrades after 60 s) from cutting the socket and reveal dead peers. */
const HEARTBEAT_INTERVAL_MS = 25_000;

interface Subscriber {
  alive: boolean;
}

/**
 * The lobby sockets this replica serves, and fan-out of lobby events to them. Only sockets that
 * authenticated are subscribed; events are serialized once per broadcast, not per socket.
 */
export class LobbyHub {
  private readonly subscribers = new Map<WebSocket, Subscriber>();
  private readonly heartbeat: NodeJS.Timeout;

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

  stop(): void {
    clearInterval(this.heartbeat);
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
