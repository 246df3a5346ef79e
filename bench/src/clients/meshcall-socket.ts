import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, JoinResult, ServerToClientEvents } from '@meshcall/shared';

export type MeshcallSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export const ACK_TIMEOUT_MS = 10_000;

/**
 * One signaling connection exactly as the web client opens it (WebSocket only, access token in
 * `auth`), but to a chosen replica: `url` is a replica's own address, so the bench decides
 * which replica holds which socket (or the gateway's address, which places a socket by the room
 * it names, as for the web client). The Origin header is one the stack allows, as a browser on
 * the gateway's page would send.
 */
export function connectMeshcall(url: string, token: string, origin: string, options: { roomId?: string; timeoutMs?: number } = {}): Promise<MeshcallSocket> {
  const timeoutMs = options.timeoutMs ?? ACK_TIMEOUT_MS;
  const socket: MeshcallSocket = io(url, {
    transports: ['websocket'],
    // The web client's placement hint: through the gateway, a room's sockets share a replica.
    query: options.roomId === undefined ? {} : { room: options.roomId },
    auth: { token },
    extraHeaders: { origin },
    reconnection: false,
    forceNew: true,
    timeout: timeoutMs,
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`connect to ${url} timed out after ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    };
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('connect_error', (error: Error & { data?: { code?: string } }) => fail(new Error(`connect to ${url} refused: ${error.data?.code ?? ''} ${error.message}`)));
  });
}

export async function joinRoom(socket: MeshcallSocket, ticket: string): Promise<Ack<JoinResult>> {
  return (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('room:join', { ticket })) as Ack<JoinResult>;
}

/** Joins and insists on success (setup steps, not the race trials). Returns the peer id. */
export async function joinOrThrow(socket: MeshcallSocket, ticket: string): Promise<string> {
  const ack = await joinRoom(socket, ticket);
  if (!ack.ok) throw new Error(`room:join refused: ${ack.error.code} ${ack.error.message}`);
  return ack.data.peerId;
}

export async function leaveRoom(socket: MeshcallSocket): Promise<Ack<null>> {
  return (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('room:leave', {})) as Ack<null>;
}

/** Leaves (so no seat lingers for the resume window and gets swept mid-measurement) and disconnects. */
export async function leaveAndClose(socket: MeshcallSocket): Promise<void> {
  try {
    if (socket.connected) await leaveRoom(socket);
  } catch {
    // Not seated, or already gone: closing is all that is left to do.
  }
  socket.close();
}
