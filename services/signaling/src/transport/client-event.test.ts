import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { FastifyBaseLogger } from 'fastify';
import { ClientEventRouter } from './client-event.js';
import type { SignalingSocket } from '../types.js';

function router() {
  const reject = vi.fn();
  const logger = { error: vi.fn(), warn: vi.fn() } as unknown as FastifyBaseLogger;
  return { events: new ClientEventRouter({ logger, metrics: { reject } }), reject };
}

const socket = { id: 'socket-1' } as unknown as SignalingSocket;

describe('ClientEventRouter', () => {
  it('hands a valid payload and its socket to the one handler, and acknowledges its answer', async () => {
    const { events } = router();
    events.on('chat:send', async (from, { text }) => ({ id: 'm1', peerId: 'p', userId: from.id, name: 'n', text, at: 'now' }));
    const ack = vi.fn();
    events.dispatch(socket, 'chat:send', [{ text: '  hi  ' }, ack]);
    await vi.waitFor(() => expect(ack).toHaveBeenCalledOnce());
    expect(ack).toHaveBeenCalledWith({ ok: true, data: expect.objectContaining({ userId: 'socket-1', text: 'hi' }) });
  });

  it('refuses an invalid payload with INVALID_PAYLOAD without running the handler', async () => {
    const { events, reject } = router();
    const handler = vi.fn();
    events.on('chat:send', handler);
    const ack = vi.fn();
    events.dispatch(socket, 'chat:send', [{ text: 42 }, ack]);
    await vi.waitFor(() => expect(ack).toHaveBeenCalledOnce());
    expect(ack.mock.calls[0]?.[0]).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(handler).not.toHaveBeenCalled();
    expect(reject).toHaveBeenCalledWith('INVALID_PAYLOAD');
  });

  it('takes one handler per event, and names the events left without one', () => {
    const { events } = router();
    events.on('room:leave', async () => null);
    expect(() => events.on('room:leave', async () => null)).toThrow(/room:leave has a handler already/);
    expect(() => events.requireHandlersFor(['room:leave', 'signal', 'chat:send'])).toThrow('client events without a handler: signal, chat:send');
    expect(() => events.requireHandlersFor(['room:leave'])).not.toThrow();
  });

  it('tells every disconnect handler which socket went, and why', () => {
    const { events } = router();
    const seen: string[] = [];
    events.onDisconnect((gone, reason) => seen.push(`seats ${gone.id} ${reason}`));
    events.onDisconnect((gone, reason) => seen.push(`knocks ${gone.id} ${reason}`));
    // An emitter calls its listeners as Socket.IO's socket does.
    const attached = Object.assign(new EventEmitter(), { id: 'socket-2' });
    events.attach(attached as unknown as SignalingSocket);
    attached.emit('disconnect', 'transport close');
    expect(seen).toEqual(['seats socket-2 transport close', 'knocks socket-2 transport close']);
  });
});
