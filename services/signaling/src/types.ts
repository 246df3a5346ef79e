import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from '@meshcall/shared';

export type SignalingServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type SignalingSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** Socket.IO room holding every seated socket of a room, on every replica (the adapter relays). */
export function roomChannel(roomId: string): string {
  return `room:${roomId}`;
}

/** Socket.IO room holding the socket that knocked, so the host's answer reaches it from any replica. */
export function knockChannel(knockId: string): string {
  return `knock:${knockId}`;
}

/** Socket.IO room holding the one socket of a seat, so a room broadcast can leave that peer out. */
export function peerChannel(peerId: string): string {
  return `peer:${peerId}`;
}
