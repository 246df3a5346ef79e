import type { RedisClient } from '@meshcall/server-kit';
import { gameStateSchema, type GameState } from '@meshcall/shared';
import { newGame, type GameTransition } from './tic-tac-toe.js';
import { ownRoomKey } from '../redis/keys.js';
import { RoomScript } from '../redis/room-script.js';

const compareAndSetScript = new RoomScript<{ actor: string; expected: string; next: string }>(
  'game-compare-and-set',
  new URL('./scripts/game-compare-and-set.lua', import.meta.url),
);

/** Optimistic updates are retried this often before giving up (only concurrent moves collide). */
const MAX_ATTEMPTS = 8;

/**
 * The authoritative tic-tac-toe board of a game room, in Redis. Rules are pure functions
 * (tic-tac-toe.ts); this store applies them with compare-and-set in a script, so two replicas
 * handling moves at the same instant can never both win the same turn.
 */
export class GameStore {
  constructor(private readonly redis: RedisClient) {}

  async current(roomId: string): Promise<GameState> {
    return (await this.read(roomId)).state;
  }

  /**
   * Applies `transition` to the current board atomically. `actorPeerId` must hold a seat (empty
   * for bookkeeping by the server itself).
   */
  async update<E>(
    roomId: string,
    actorPeerId: string,
    transition: (state: GameState) => GameTransition<E>,
    now: number,
  ): Promise<GameTransition<E> | { notSeated: true }> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const { state, raw } = await this.read(roomId);
      const outcome = transition(state);
      if (!('state' in outcome)) return outcome;
      const status = await compareAndSetScript.run(this.redis, roomId, now, { actor: actorPeerId, expected: raw, next: JSON.stringify(outcome.state) });
      if (status === 'OK') return outcome;
      if (status === 'NOT_IN_ROOM') return { notSeated: true };
    }
    throw new Error('game state kept changing under concurrent updates');
  }

  private async read(roomId: string): Promise<{ state: GameState; raw: string }> {
    const raw = (await this.redis.get(ownRoomKey(roomId, 'game'))) ?? '';
    if (!raw) return { state: newGame(), raw };
    const parsed = gameStateSchema.safeParse(JSON.parse(raw));
    return { state: parsed.success ? parsed.data : newGame(), raw };
  }
}
