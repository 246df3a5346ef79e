import { openSignalingSocket, rawRequest, type SignalingSocket } from '@meshcall/client';
import type { Ack, JoinResult } from '@meshcall/shared';

/**
 * The bare typed socket of @meshcall/client, not a SignalingConnection: the bench times the wire
 * itself (each emit and delivery in meshcall-cluster.ts, acks counted raw in the race trials), so
 * it wants no schema parsing, resume bookkeeping or waiting on its path.
 */
export type MeshcallSocket = SignalingSocket;

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
  const socket = openSignalingSocket({
    url,
    // The web client's placement hint: through the gateway, a room's sockets share a replica.
    ...(options.roomId === undefined ? {} : { roomId: options.roomId }),
    accessToken: token,
    origin,
    reconnection: false,
    connectTimeoutMs: timeoutMs,
  });
  socket.connect();
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
  return (await rawRequest(socket, 'room:join', [{ ticket }], ACK_TIMEOUT_MS)) as Ack<JoinResult>;
}

/** Joins and insists on success (setup steps, not the race trials). Returns the peer id. */
export async function joinOrThrow(socket: MeshcallSocket, ticket: string): Promise<string> {
  const ack = await joinRoom(socket, ticket);
  if (!ack.ok) throw new Error(`room:join refused: ${ack.error.code} ${ack.error.message}`);
  return ack.data.peerId;
}

export async function leaveRoom(socket: MeshcallSocket): Promise<Ack<null>> {
  return (await rawRequest(socket, 'room:leave', [{}], ACK_TIMEOUT_MS)) as Ack<null>;
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
