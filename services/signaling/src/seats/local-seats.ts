import type { RoomKind, RoomRole } from '@meshcall/shared';
import type { HeldSeat } from './seat-store.js';
import { peerChannel, roomChannel, type SignalingSocket } from '../types.js';

/** A seat whose socket is connected to this replica. */
export interface LocalSeat extends HeldSeat {
  roomId: string;
  role: RoomRole;
  room: { capacity: number; kind: RoomKind };
  socket: SignalingSocket;
  /** When Redis last extended this seat's lease (by SEAT_LEASE_MS from then). */
  leaseRenewedAt: number;
}

/**
 * A seat whose socket dropped from this replica and which waits in Redis for a resume. `route`
 * is the dropped socket's; `until` is when the seat lapses in Redis: the end of the resume window,
 * or the end of its last lease if Redis could not be told the socket dropped.
 */
export interface AwaySeat extends HeldSeat {
  roomId: string;
  room: { capacity: number; kind: RoomKind };
  until: number;
  /** When Redis last showed the seat there; a seat missing after a reconnect since may have been lost with Redis's data. */
  confirmedAt: number;
}

/**
 * The seats held by sockets on this replica: what the lease keeper renews and where the
 * replica's inbox delivers signals. Redis stays the source of truth for who sits in a room.
 *
 * It also remembers the seats whose socket dropped here, until Redis is seen to be done with
 * them: if Redis loses its data meanwhile, this replica is the only one that knows they were
 * there, and the lease keeper puts them back so that the sweep announces them when they lapse.
 */
export class LocalSeats {
  private readonly byPeer = new Map<string, LocalSeat>();
  private readonly byRoom = new Map<string, Set<string>>();
  /** Away seats by room, then by peer id. */
  private readonly away = new Map<string, Map<string, AwaySeat>>();

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

  /** Rooms where this replica holds a seat, live or away. */
  roomIds(): string[] {
    return [...new Set([...this.byRoom.keys(), ...this.away.keys()])];
  }

  inRoom(roomId: string): LocalSeat[] {
    return [...(this.byRoom.get(roomId) ?? [])].flatMap((peerId) => this.byPeer.get(peerId) ?? []);
  }

  awayInRoom(roomId: string): AwaySeat[] {
    return [...(this.away.get(roomId)?.values() ?? [])];
  }

  /**
   * The seat's socket dropped and Redis holds the seat until `until`: watch it (see AwaySeat).
   * Ignored when the peer already resumed on this replica (a resume can overtake the drop's bookkeeping).
   */
  holdAway(seat: LocalSeat, until: number, confirmedAt: number): void {
    if (this.byPeer.has(seat.peerId)) return;
    const { peerId, roomId, room, route, record, media, resumeTokenHash, deliveredSeq } = seat;
    let inRoom = this.away.get(roomId);
    if (!inRoom) {
      inRoom = new Map();
      this.away.set(roomId, inRoom);
    }
    inRoom.set(peerId, { peerId, roomId, room, route, record, media, resumeTokenHash, deliveredSeq, until, confirmedAt });
  }

  /** Stops watching the away seat (unless a newer drop of the same peer replaced it meanwhile). */
  forgetAway(seat: AwaySeat): void {
    const inRoom = this.away.get(seat.roomId);
    if (inRoom?.get(seat.peerId) === seat) this.dropAway(seat.roomId, seat.peerId);
  }

  private dropAway(roomId: string, peerId: string): void {
    const inRoom = this.away.get(roomId);
    inRoom?.delete(peerId);
    if (inRoom?.size === 0) this.away.delete(roomId);
  }

  /** Binds the seat to its socket: joins the Socket.IO rooms and records it for renewal and delivery. */
  attach(seat: LocalSeat): LocalSeat {
    this.dropAway(seat.roomId, seat.peerId);
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
