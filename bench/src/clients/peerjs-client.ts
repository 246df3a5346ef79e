import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { benchCandidate, idOfCandidate } from '../load/candidate.js';
import type { IdleTarget, RelayHandlers, RelayPair, RelayTarget } from '../load/relay-target.js';
import type { MeteredProcess } from '../process-memory.js';
import type { PeerGateway } from '../peers/peer-gateway.js';
import type { PeerProcess } from '../peers/peer-process.js';
import { mapLimited } from './meshcall-api.js';

/**
 * PeerJS's own client (`peerjs`) needs a browser's WebRTC and `navigator` at construction
 * (peers/peerjs#1066: "ReferenceError: navigator is not defined" in Node), so the bench speaks
 * its server's WebSocket protocol directly with the frames that client sends: connect to
 * `/peerjs?key=&id=&token=`, wait for OPEN, send `{ type: 'CANDIDATE', dst, payload }`, and a
 * HEARTBEAT every 5 s as the client does.
 */
const HEARTBEAT_MS = 5_000;
/** Where peerjs-main.ts mounts the server, so its WebSocket passes the gateway's /socket.io/ location. */
export const PEERJS_PATH = '/socket.io';
const OPEN_TIMEOUT_MS = 10_000;

export interface PeerjsConnection {
  id: string;
  socket: WebSocket;
  close(): void;
}

export function connectPeerjs(baseUrl: string, id: string, onMessage?: (message: { type: string; src?: string; payload?: { candidate?: unknown } }) => void): Promise<PeerjsConnection> {
  const token = randomBytes(8).toString('hex');
  // transport=websocket: PeerJS ignores it; behind nginx it picks the same upstream pool as a
  // WebSocket-only Socket.IO client (see peers/peer-gateway.ts).
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}${PEERJS_PATH}/peerjs?key=peerjs&id=${encodeURIComponent(id)}&token=${token}&transport=websocket`);
  return new Promise((resolve, reject) => {
    let heartbeat: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`PeerJS OPEN for ${id} timed out`));
    }, OPEN_TIMEOUT_MS);
    const close = () => {
      clearInterval(heartbeat);
      socket.close();
    };
    socket.on('error', (error) => {
      clearTimeout(timer);
      clearInterval(heartbeat);
      reject(error);
    });
    socket.on('close', () => clearInterval(heartbeat));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; payload?: { msg?: string; candidate?: unknown } };
      if (message.type === 'OPEN') {
        clearTimeout(timer);
        heartbeat = setInterval(() => socket.send('{"type":"HEARTBEAT"}'), HEARTBEAT_MS);
        resolve({ id, socket, close });
      } else if (message.type === 'ERROR' || message.type === 'ID-TAKEN') {
        clearTimeout(timer);
        socket.close();
        reject(new Error(`PeerJS refused ${id}: ${message.payload?.msg ?? message.type}`));
      } else {
        onMessage?.(message);
      }
    });
  });
}

let nextPeerjsId = 0;
const uniqueId = (prefix: string) => `${prefix}${(nextPeerjsId++).toString(36)}x${randomBytes(3).toString('hex')}`;

export class PeerjsRelayTarget implements RelayTarget {
  readonly system = 'peerjs' as const;
  readonly label: string;
  private connections: PeerjsConnection[] = [];

  /** `via`: reach the server through its nginx (as meshcall through its gateway) instead of directly. */
  constructor(
    private readonly server: PeerProcess,
    private readonly via?: PeerGateway,
  ) {
    this.label = via ? 'PeerJS server, behind nginx' : 'PeerJS server';
  }

  async openPairs(count: number, handlers: RelayHandlers): Promise<RelayPair[]> {
    return mapLimited(Array.from({ length: count }, (_, i) => i), 20, async () => {
      const url = this.via?.url ?? this.server.url;
      const receiver = await connectPeerjs(url, uniqueId('r'), (message) => {
        if (message.type !== 'CANDIDATE') return;
        const id = idOfCandidate(message.payload?.candidate);
        if (id !== undefined) handlers.onReceive(id);
      });
      const sender = await connectPeerjs(url, uniqueId('s'));
      this.connections.push(receiver, sender);
      return {
        send: (id: number) =>
          sender.socket.send(JSON.stringify({ type: 'CANDIDATE', dst: receiver.id, payload: { candidate: benchCandidate(id), type: 'media', connectionId: 'mc_bench' } })),
      };
    });
  }

  async closePairs(): Promise<void> {
    for (const connection of this.connections) connection.close();
    this.connections = [];
  }

  processes(): MeteredProcess[] {
    const server = { name: 'peerjs', pid: this.server.pid };
    return this.via ? [server, this.via.process()] : [server];
  }
}

export class PeerjsIdleTarget implements IdleTarget {
  readonly system = 'peerjs' as const;
  readonly label = 'PeerJS server';
  private connections: PeerjsConnection[] = [];

  constructor(private readonly server: PeerProcess) {}

  async open(count: number, concurrency: number, deadline?: number): Promise<void> {
    await mapLimited(
      Array.from({ length: count }, (_, i) => i),
      concurrency,
      async () => {
        this.connections.push(await connectPeerjs(this.server.url, uniqueId('i')));
      },
      { deadline },
    );
  }

  memory(): Promise<{ rssBytes: number; heapUsedBytes: number }> {
    return this.server.memory();
  }

  async closeAll(): Promise<void> {
    for (const connection of this.connections) connection.close();
    this.connections = [];
  }
}
