import type { FastifyBaseLogger } from 'fastify';
import type { AccessTokenClaims, JoinTicketClaims } from '@meshcall/shared';
import type { JwtVerifier } from '@meshcall/server-kit';
import type { Config } from './config.js';
import type { Departures } from './seats/departures.js';
import type { ReplicaInbox } from './relay/replica-inbox.js';
import type { LocalSeats } from './seats/local-seats.js';
import type { SignalingMetrics } from './metrics.js';
import type { ChatHistory } from './room/chat-history.js';
import type { GameStore } from './room/game-store.js';
import type { RoomFlags } from './room/room-flags.js';
import type { SeatStore } from './seats/seat-store.js';
import type { SignalRelay } from './relay/signal-relay.js';
import type { SignalingServer } from './types.js';

/** Everything a handler needs, built once per replica in app.ts. */
export interface SignalingContext {
  io: SignalingServer;
  config: Config;
  logger: FastifyBaseLogger;
  metrics: SignalingMetrics;
  accessTokens: JwtVerifier<AccessTokenClaims>;
  tickets: JwtVerifier<JoinTicketClaims>;
  seats: SeatStore;
  signals: SignalRelay;
  chat: ChatHistory;
  games: GameStore;
  flags: RoomFlags;
  localSeats: LocalSeats;
  inbox: ReplicaInbox;
  departures: Departures;
  /** `replicaId|socketId`: where a seat's signals are published. */
  routeOf(socketId: string): string;
  /** Async work that must finish before shutdown completes (seat hand-offs of dropped sockets). */
  track(work: Promise<unknown>): void;
  now(): number;
}
