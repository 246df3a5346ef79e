import { redisKeys } from '@meshcall/shared';

/** Signaling's own per-room keys; the room id is a hash tag (`{roomId}`), as in redis-contract.ts. */
export function ownRoomKey(roomId: string, name: 'media' | 'routes' | 'sessions' | 'signal-seqs' | 'info' | 'chat' | 'game' | 'host' | 'since' | 'departures'): string {
  return `meshcall:room:{${roomId}}:sig:${name}`;
}

/**
 * Every per-room key signaling touches, in the fixed order the Lua scripts expect (room-script.ts).
 * All carry the room id as a hash tag, so a Redis Cluster keeps them on one shard and one script
 * may use them together. Seats, peers, locked, closed and excluded are shared with the rooms service.
 */
export function roomKeys(roomId: string): string[] {
  return [
    redisKeys.roomSeats(roomId),
    redisKeys.roomPeers(roomId),
    ownRoomKey(roomId, 'media'),
    ownRoomKey(roomId, 'routes'),
    ownRoomKey(roomId, 'sessions'),
    ownRoomKey(roomId, 'signal-seqs'),
    ownRoomKey(roomId, 'info'),
    redisKeys.roomClosed(roomId),
    redisKeys.roomLocked(roomId),
    ownRoomKey(roomId, 'chat'),
    ownRoomKey(roomId, 'game'),
    redisKeys.roomExcluded(roomId),
    ownRoomKey(roomId, 'host'),
    ownRoomKey(roomId, 'since'),
  ];
}

/**
 * Prefix of the per-peer keys a script derives itself (mailboxes, tombstones, used tickets): the
 * same hash tag, so they live on the room's shard.
 */
export function roomKeyPrefix(roomId: string): string {
  return `meshcall:room:{${roomId}}:sig:`;
}

/** The signals kept for one peer (the relay script appends to `prefix .. 'mailbox:' .. peer`). */
export function signalMailboxKey(roomId: string, peerId: string): string {
  return `${roomKeyPrefix(roomId)}mailbox:${peerId}`;
}

/** Cluster-wide keys and channels of the signaling tier. */
export const signalingKeys = {
  /**
   * Index of every seat lease: member `roomId/peerId`, score = lease expiry (ms). Only a hint for
   * the sweeper to find expired seats without scanning rooms; the room's seats key decides.
   */
  leaseIndex: 'meshcall:signaling:leases',
  /** Held for one sweep interval by the replica whose turn it is to sweep. */
  sweeperLock: 'meshcall:signaling:sweeper-lock',
  /** A replica's own channel: signals and evictions for sockets it holds. */
  replicaChannel: (replicaId: string) => `meshcall:signaling:replica:${replicaId}`,
  replicaChannelPrefix: 'meshcall:signaling:replica:',
} as const;

export function leaseMember(roomId: string, peerId: string): string {
  return `${roomId}/${peerId}`;
}

export function parseLeaseMember(member: string): { roomId: string; peerId: string } | undefined {
  const slash = member.indexOf('/');
  if (slash <= 0 || slash === member.length - 1) return undefined;
  return { roomId: member.slice(0, slash), peerId: member.slice(slash + 1) };
}
