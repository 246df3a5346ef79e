import type { RedisClient } from '@meshcall/server-kit';
import { KNOCK_ADMISSION_MS, KNOCK_COOLDOWN_MS, redisKeys } from '@meshcall/shared';
import { z } from 'zod';
import { roomKeyPrefix } from '../redis/keys.js';
import { RoomScript } from '../redis/room-script.js';

const script = <Args extends object>(name: string) => new RoomScript<Args>(name, new URL(`./scripts/${name}.lua`, import.meta.url));
const knockScript = script<{ knockId: string; userId: string; name: string; jti: string }>('knock');
const answerKnockScript = script<{ knockId: string; actor: string; admit: boolean; admissionMs: number; cooldownMs: number; admittedPrefix: string }>('answer-knock');
const endKnockScript = script<{ knockId: string; userId: string; cooldownMs: number }>('end-knock');

export interface KnockInput {
  roomId: string;
  knockId: string;
  userId: string;
  name: string;
  /** The knocker's ticket, which must still be unused. */
  jti: string;
}

export type KnockResult = { ok: true; host: string } | { ok: false; reason: 'ROOM_CLOSED' | 'BANNED' | 'TICKET_USED' | 'COOLING_DOWN' | 'NO_HOST' };
export type AnswerResult = { ok: true; userId: string } | { ok: false; reason: 'FORBIDDEN' | 'KNOCK_NOT_FOUND' };

/** The knocks of a room waiting for an answer: knockId → { userId, name } (the scripts' `prefix .. 'knocks'`). */
function knocksKey(roomId: string): string {
  return `${roomKeyPrefix(roomId)}knocks`;
}

const waitingKnockSchema = z.object({ userId: z.string(), name: z.string() });

function asPair(reply: unknown): [string, string] {
  if (!Array.isArray(reply)) throw new Error('unexpected script reply');
  return [String(reply[0]), String(reply[1])];
}

/** Knocks on locked rooms, kept in Redis with the room (its scripts in `scripts/*knock*.lua`). */
export class KnockStore {
  constructor(private readonly redis: RedisClient) {}

  /** Records a knock for the room's host to answer; refused if the knocker may not ask now. */
  async knock(input: KnockInput, now: number): Promise<KnockResult> {
    const { roomId, ...args } = input;
    const [status, host] = asPair(await knockScript.run(this.redis, roomId, now, args));
    return status === 'OK' ? { ok: true, host } : { ok: false, reason: status as Exclude<KnockResult, { ok: true }>['reason'] };
  }

  /** The host's answer; only the room's host may give it, and only while the knock waits. */
  async answer(roomId: string, knockId: string, actorPeerId: string, admit: boolean, now: number): Promise<AnswerResult> {
    const [status, userId] = asPair(
      await answerKnockScript.run(this.redis, roomId, now, {
        knockId,
        actor: actorPeerId,
        admit,
        admissionMs: KNOCK_ADMISSION_MS,
        cooldownMs: KNOCK_COOLDOWN_MS,
        admittedPrefix: redisKeys.roomAdmitted(roomId, ''),
      }),
    );
    return status === 'OK' ? { ok: true, userId } : { ok: false, reason: status as Exclude<AnswerResult, { ok: true }>['reason'] };
  }

  /** Whether the knock still waits for an answer. */
  async isWaiting(roomId: string, knockId: string): Promise<boolean> {
    return (await this.redis.hexists(knocksKey(roomId), knockId)) === 1;
  }

  /** The knocks waiting for the room's host, for a host who just took over. */
  async waiting(roomId: string): Promise<Array<{ knockId: string; name: string }>> {
    const raw = await this.redis.hgetall(knocksKey(roomId));
    return Object.entries(raw).flatMap(([knockId, json]) => {
      const record = waitingKnockSchema.safeParse(JSON.parse(json));
      return record.success ? [{ knockId, name: record.data.name }] : [];
    });
  }

  /** Ends a knock nobody answered (withdrawn or timed out); true if it was still waiting. */
  async end(roomId: string, knockId: string, userId: string, now: number): Promise<boolean> {
    return Number(await endKnockScript.run(this.redis, roomId, now, { knockId, userId, cooldownMs: KNOCK_COOLDOWN_MS })) === 1;
  }
}
