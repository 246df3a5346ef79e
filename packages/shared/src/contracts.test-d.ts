import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type {
  Ack,
  AccessTokenClaims,
  ClientToServerEvents,
  ErrorCode,
  JoinResult,
  ServerToClientEvents,
  UnacknowledgedEvent,
  ClientEventAckData,
  registerBodySchema,
  SessionResponse,
} from './index.js';

describe('contract types', () => {
  it('acks are a union discriminated by ok', () => {
    const ack = {} as Ack<{ n: number }>;
    if (ack.ok) {
      expectTypeOf(ack.data).toEqualTypeOf<{ n: number }>();
    } else {
      expectTypeOf(ack.error.code).toEqualTypeOf<ErrorCode>();
      expectTypeOf(ack).not.toHaveProperty('data');
    }
  });

  it('room:join acknowledges with a JoinResult', () => {
    type JoinAck = Parameters<ClientToServerEvents['room:join']>[1];
    expectTypeOf<Parameters<JoinAck>[0]>().toEqualTypeOf<Ack<JoinResult>>();
  });

  it('exactly the unacknowledged events may go without an ack callback', () => {
    type AckOptional = { [E in keyof ClientToServerEvents]: undefined extends Parameters<ClientToServerEvents[E]>[1] ? E : never }[keyof ClientToServerEvents];
    expectTypeOf<AckOptional>().toEqualTypeOf<UnacknowledgedEvent>();
    expectTypeOf<ClientEventAckData<'signal'>>().toEqualTypeOf<null>();
  });

  it('server events carry typed payloads', () => {
    expectTypeOf<Parameters<ServerToClientEvents['peer:left']>[0]['reason']>().toEqualTypeOf<'left' | 'disconnected' | 'kicked' | 'closed' | 'replaced'>();
    expectTypeOf<Parameters<ServerToClientEvents['room:kicked']>[0]['reason']>().toEqualTypeOf<'kicked' | 'uninvited' | 'removed'>();
    expectTypeOf<Parameters<ServerToClientEvents['room:closed']>[0]['reason']>().toEqualTypeOf<'closed'>();
  });

  it('access-token claims pin the token type', () => {
    expectTypeOf<AccessTokenClaims['typ']>().toEqualTypeOf<'access'>();
  });

  it('a session response never types a password', () => {
    expectTypeOf<SessionResponse['user']>().not.toHaveProperty('password');
    expectTypeOf<z.infer<typeof registerBodySchema>>().toHaveProperty('password');
  });
});
