import type { ServerToClientEvents } from '@meshcall/shared';
import { knockChannel, peerChannel, roomChannel, type SignalingServer, type SignalingSocket } from './types.js';

type ServerEventName = keyof ServerToClientEvents;
type ServerEventArgs<E extends ServerEventName> = Parameters<ServerToClientEvents[E]>;

/**
 * The only code that sends events to clients, typed from the shared ServerToClientEvents map.
 * Room-wide sends go through the Redis adapter, so they reach the room's sockets on every
 * replica; the rest go to one socket of this replica.
 */
export class Notifier {
  constructor(private readonly io: SignalingServer) {}

  /** To one socket on this replica. */
  toSocket<E extends ServerEventName>(socket: SignalingSocket, event: E, ...args: ServerEventArgs<E>): void {
    socket.emit(event, ...args);
  }

  /** What a socket did, to the rest of its room: everyone else, on every replica. */
  fromSocketToRoom<E extends ServerEventName>(socket: SignalingSocket, roomId: string, event: E, ...args: ServerEventArgs<E>): void {
    socket.to(roomChannel(roomId)).emit(event, ...args);
  }

  /** Like fromSocketToRoom, leaving out every socket of the sender's peer (an older one may linger on another replica). */
  fromPeerToRoom<E extends ServerEventName>(socket: SignalingSocket, roomId: string, peerId: string, event: E, ...args: ServerEventArgs<E>): void {
    socket.to(roomChannel(roomId)).except(peerChannel(peerId)).emit(event, ...args);
  }

  /** To the whole room on every replica: for what the server itself noticed (departures, the game). */
  toRoom<E extends ServerEventName>(roomId: string, event: E, ...args: ServerEventArgs<E>): void {
    this.io.to(roomChannel(roomId)).emit(event, ...args);
  }

  /** To the whole room on every replica but one peer's sockets: news about that peer. */
  toRoomAbout<E extends ServerEventName>(roomId: string, peerId: string, event: E, ...args: ServerEventArgs<E>): void {
    this.io.to(roomChannel(roomId)).except(peerChannel(peerId)).emit(event, ...args);
  }

  /** To one peer's sockets, on whichever replica they are: a request meant for that person alone. */
  toPeer<E extends ServerEventName>(peerId: string, event: E, ...args: ServerEventArgs<E>): void {
    this.io.to(peerChannel(peerId)).emit(event, ...args);
  }

  /** To the socket that knocked (knockId), on whichever replica it is: the answer to its knock. */
  toKnocker<E extends ServerEventName>(knockId: string, event: E, ...args: ServerEventArgs<E>): void {
    this.io.to(knockChannel(knockId)).emit(event, ...args);
  }

  /** To the room's sockets on this replica only: for news every replica hears and passes on itself (room events). */
  toRoomOnThisReplica<E extends ServerEventName>(roomId: string, event: E, ...args: ServerEventArgs<E>): void {
    this.io.local.to(roomChannel(roomId)).emit(event, ...args);
  }
}
