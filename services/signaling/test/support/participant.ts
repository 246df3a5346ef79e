import { expect } from 'vitest';
import { serverEventPayloadSchemas, type JoinResult, type RoomKind, type RoomRole, type ServerToClientEvents } from '@meshcall/shared';
import { EventLog, connect, dataOf, request, type TestSocket } from './client.js';
import type { InProcessReplica } from './replicas.js';
import { newUserId, type TestTokenIssuer } from './token-issuer.js';

/** Every event of the shared contract, so a new one is recorded without touching this list. */
export const ALL_SERVER_EVENTS = Object.keys(serverEventPayloadSchemas) as Array<keyof ServerToClientEvents>;

/** A connected user, with everything the server sent it since connecting. */
export interface Participant {
  userId: string;
  socket: TestSocket;
  log: EventLog<keyof ServerToClientEvents>;
}

export interface Seated extends Participant {
  joined: JoinResult;
}

export async function connectUser(url: string, issuer: TestTokenIssuer, userId: string = newUserId()): Promise<Participant> {
  const socket = await connect(url, await issuer.accessToken(userId));
  return { userId, socket, log: new EventLog(socket, ALL_SERVER_EVENTS) };
}

export interface SeatOptions {
  roomId: string;
  userId?: string;
  role?: RoomRole;
  capacity?: number;
  kind?: RoomKind;
  /** `room:join`'s name for this call only; without it the ticket's (the account's) name is used. */
  callName?: string;
}

/** Connects a new user and takes a seat with a fresh ticket; fails the test if the join is refused. */
export async function seatUser(url: string, issuer: TestTokenIssuer, options: SeatOptions): Promise<Seated> {
  const participant = await connectUser(url, issuer, options.userId);
  const ticket = await issuer.ticket({
    userId: participant.userId,
    roomId: options.roomId,
    role: options.role ?? 'member',
    capacity: options.capacity ?? 4,
    kind: options.kind ?? 'business',
  });
  const payload = options.callName === undefined ? { ticket } : { ticket, name: options.callName };
  const joined = dataOf(await request(participant.socket, 'room:join', payload));
  return { ...participant, joined };
}

export function closeAll(...participants: Array<Participant | undefined>): void {
  for (const participant of participants) participant?.socket.close();
}

/** Drops the connection the way a network loss does (no room:leave) and waits until the server saw it go. */
export async function dropConnection(peer: Seated, replica: InProcessReplica): Promise<void> {
  peer.socket.disconnect();
  await expect.poll(() => replica.io.of('/').sockets.has(peer.socket.id ?? '')).toBe(false);
}
