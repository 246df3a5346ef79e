import { joinRoomResponseSchema, roomResponseSchema, sessionResponseSchema, type IceServer } from '@meshcall/shared';
import type { z } from 'zod';

/**
 * The HTTP half of meshcall as the bench uses it: sign up, create a room, get a join ticket.
 * Setup traffic goes straight to auth and rooms (their own URLs, paths without the gateway's
 * /api/<service> prefix): the gateway's per-address sign-up flood limit is meant for people,
 * and every bench client shares 127.0.0.1. Nothing here is timed.
 */
export interface BenchUser {
  userId: string;
  name: string;
  accessToken: string;
}

export interface JoinGrant {
  ticket: string;
  iceServers: IceServer[];
}

const REQUEST_TIMEOUT_MS = 15_000;
const PASSWORD = 'bench password, long enough';

async function postJson<S extends z.ZodType>(url: string, body: unknown, schema: S, token?: string): Promise<z.infer<S>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  return schema.parse(JSON.parse(text));
}

export class MeshcallApi {
  constructor(
    private readonly authUrl: string,
    private readonly roomsUrl: string,
  ) {}

  async register(label: string): Promise<BenchUser> {
    const unique = `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const session = await postJson(`${this.authUrl}/register`, { name: `Bench ${label}`, email: `${unique}@bench.example`, password: PASSWORD }, sessionResponseSchema);
    return { userId: session.user.id, name: session.user.name, accessToken: session.accessToken };
  }

  async createRoom(owner: BenchUser, options: { capacity: number; name: string }): Promise<string> {
    const { room } = await postJson(
      `${this.roomsUrl}/`,
      { name: options.name, kind: 'coding', visibility: 'public', capacity: options.capacity },
      roomResponseSchema,
      owner.accessToken,
    );
    return room.id;
  }

  async joinGrant(user: BenchUser, roomId: string): Promise<JoinGrant> {
    const grant = await postJson(`${this.roomsUrl}/${roomId}/join`, {}, joinRoomResponseSchema, user.accessToken);
    return { ticket: grant.ticket, iceServers: grant.iceServers };
  }
}

/**
 * Runs `work` over `items` with at most `concurrency` in flight; the results keep the items'
 * order. Bounded by the items' count and, if given, by `deadline` (performance.now()): no item
 * starts after it. The first failure (or the deadline) stops new items from starting and is
 * thrown once the ones in flight have settled, so nothing keeps running behind the caller.
 */
export async function mapLimited<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
  options: { deadline?: number } = {},
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: unknown;
  async function worker(): Promise<void> {
    while (next < items.length && failure === undefined) {
      if (options.deadline !== undefined && performance.now() > options.deadline) {
        failure = new Error(`out of time after ${next} of ${items.length} items`);
        return;
      }
      const index = next++;
      try {
        results[index] = await work(items[index] as T, index);
      } catch (error) {
        failure ??= error;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, () => worker()));
  if (failure !== undefined) throw failure;
  return results;
}
