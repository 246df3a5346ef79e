import type { RoomKind, RoomRole } from '@meshcall/shared';
import type { HeldSeat } from './repositories/seat-store.js';
import { peerChannel, roomChannel, type SignalingSocket } from './types.js';

/** A seat whose socket is connected to this replica. */
export interface LocalSeat extends HeldSeat {
  roomId: string;
  role: RoomRole;
  room: { capacity: number; kind: RoomKind };
  socket: SignalingSocket;
}

/**
 * The seats held by sockets on this replica: what the lease keeper renews and where the
 * replica's inbox delivers signals. Redis stays the source of truth for who sits in a room.
 */
export class LocalSeats {
  private readonly byPeer = new Map<string, LocalSeat>();
  private readonly byRoom = new Map<string, Set<string>>();

  get size(): number {
    return this.byPeer.size;
  }

  get(peerId: string): LocalSeat | undefined {
    return this.byPeer.get(peerId);
  }

  /** The seat this socket holds, if any. */
  of(socket: SignalingSocket): LocalSeat | undefined {
    const peerId = socket.data.peerId;
    const seat = peerId === undefined ? undefined : this.byPeer.get(peerId);
    return seat?.socket === socket ? seat : undefined;
  }

  roomIds(): string[] {
    return [...this.byRoom.keys()];
  }

  inRoom(roomId: string): LocalSeat[] {
    return [...(this.byRoom.get(roomId) ?? [])].flatMap((peerId) => this.byPeer.get(peerId) ?? []);
  }

  /** Binds the seat to its socket: joins the Socket.IO rooms and records it for renewal and delivery. */
  attach(seat: LocalSeat): LocalSeat {
    this.byPeer.set(seat.peerId, seat);
    let peers = this.byRoom.get(seat.roomId);
    if (!peers) {
      peers = new Set();
      this.byRoom.set(seat.roomId, peers);
    }
    peers.add(seat.peerId);
    seat.socket.data.roomId = seat.roomId;
    seat.socket.data.peerId = seat.peerId;
    seat.socket.data.role = seat.role;
    void seat.socket.join([roomChannel(seat.roomId), peerChannel(seat.peerId)]);
    return seat;
  }

  /** Unbinds the seat from this replica (the Redis side is the caller's business). */
  detach(seat: LocalSeat): void {
    if (this.byPeer.get(seat.peerId) !== seat) return;
    this.byPeer.delete(seat.peerId);
    const peers = this.byRoom.get(seat.roomId);
    peers?.delete(seat.peerId);
    if (peers?.size === 0) this.byRoom.delete(seat.roomId);
    const { socket } = seat;
    void socket.leave(roomChannel(seat.roomId));
    void socket.leave(peerChannel(seat.peerId));
    if (socket.data.peerId === seat.peerId) {
      delete socket.data.roomId;
      delete socket.data.peerId;
      delete socket.data.role;
    }
  }
}
