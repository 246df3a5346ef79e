import type { GameState } from '@meshcall/shared';
import type { LocalSeat } from './local-seats.js';
import type { MailboxEntry } from './replay-plan.js';
import type { RemovedSeat } from './seat-store.js';

/**
 * What the seat lifecycle needs of its neighbours, declared here so that seats/ imports neither
 * the game nor the relay: they build on seats, not the other way round.
 */

/** A game room's players, as seats come and go (room/game-players.ts). */
export interface GameSeating {
  /** The board a joiner of a game room is shown. */
  board(roomId: string): Promise<GameState>;
  /** A newly seated player takes a free mark (X, then O); the room hears of it. */
  takeMark(seat: LocalSeat): Promise<GameState>;
  /** Users who left with their last seat in the room stop being players. */
  freeMarks(roomId: string, removed: RemovedSeat[]): Promise<void>;
}

/** The replica inbox as a resume uses it (relay/replica-inbox.ts): live signals for the peer wait while its mailbox is replayed. */
export interface ResumeDelivery {
  /** Starts holding back live signals for the peer; false if a resume of it is under way already. */
  hold(peerId: string): boolean;
  /** Stops holding and returns what arrived meanwhile, oldest first. */
  release(peerId: string): MailboxEntry[];
  deliver(seat: LocalSeat, signal: MailboxEntry): void;
}
