import { io, type Socket } from 'socket.io-client';
import { benchCandidate, idOfCandidate } from '../load/candidate.js';
import type { IdleTarget, RelayHandlers, RelayPair, RelayTarget } from '../load/relay-target.js';
import type { MeteredProcess } from '../process-memory.js';
import type { PeerGateway } from '../peers/peer-gateway.js';
import type { PeerProcess } from '../peers/peer-process.js';
import { mapLimited } from './meshcall-api.js';

const CONNECT_TIMEOUT_MS = 10_000;

/** A client of the naive relay, WebSocket only (as meshcall's), so the transports match. */
function connectNaive(url: string): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: CONNECT_TIMEOUT_MS });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

async function joinNaive(socket: Socket, roomId: string): Promise<void> {
  await socket.timeout(CONNECT_TIMEOUT_MS).emitWithAck('join', roomId);
}

export class NaiveRelayTarget implements RelayTarget {
  readonly system = 'naive' as const;
  readonly label: string;
  private sockets: Socket[] = [];

  /** `via`: reach the relay through its nginx (as meshcall through its gateway) instead of directly. */
  constructor(
    private readonly server: PeerProcess,
    private readonly via?: PeerGateway,
  ) {
    this.label = via ? 'naive Socket.IO relay, behind nginx' : 'naive Socket.IO relay';
  }

  async openPairs(count: number, handlers: RelayHandlers): Promise<RelayPair[]> {
    return mapLimited(Array.from({ length: count }, (_, i) => i), 20, async (i) => {
      const room = `bench-room-${i}-${Date.now().toString(36)}`;
      const url = this.via?.url ?? this.server.url;
      const sender = await connectNaive(url);
      const receiver = await connectNaive(url);
      this.sockets.push(sender, receiver);
      await joinNaive(sender, room);
      await joinNaive(receiver, room);
      receiver.on('signal', (message: { candidate?: unknown }) => {
        const id = idOfCandidate(message.candidate);
        if (id !== undefined) handlers.onReceive(id);
      });
      return { send: (id: number) => sender.emit('signal', { room, candidate: benchCandidate(id) }) };
    });
  }

  async closePairs(): Promise<void> {
    for (const socket of this.sockets) socket.close();
    this.sockets = [];
  }

  processes(): MeteredProcess[] {
    const relay = { name: 'naive-relay', pid: this.server.pid };
    return this.via ? [relay, this.via.process()] : [relay];
  }
}

export class NaiveIdleTarget implements IdleTarget {
  readonly system = 'naive' as const;
  readonly label = 'naive Socket.IO relay';
  private sockets: Socket[] = [];

  constructor(private readonly server: PeerProcess) {}

  async open(count: number, concurrency: number, deadline?: number): Promise<void> {
    await mapLimited(
      Array.from({ length: count }, (_, i) => i),
      concurrency,
      async () => {
        this.sockets.push(await connectNaive(this.server.url));
      },
      { deadline },
    );
  }

  memory(): Promise<{ rssBytes: number; heapUsedBytes: number }> {
    return this.server.memory();
  }

  async closeAll(): Promise<void> {
    for (const socket of this.sockets) socket.close();
    this.sockets = [];
  }
}
