import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { stunBindingOk } from './stun-binding.js';

/*
 * The probe against small UDP responders on 127.0.0.1 that answer as told; a real coturn answers
 * it in packages/stack (the launcher waits for coturn with it) and in rooms' TURN health checks
 * (packages/stack/src/turn-servers.test.ts).
 */

type Answer = (request: Buffer) => Buffer | undefined;

const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});

async function responder(answer: Answer): Promise<number> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  socket.on('message', (request, from) => {
    const reply = answer(request);
    if (reply) socket.send(reply, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return (socket.address() as AddressInfo).port;
}

/** A Binding response of `type` for `request`'s transaction id (or another one). */
function response(request: Buffer, type: number, transactionId: Buffer = request.subarray(8, 20)): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16BE(type, 0);
  request.copy(header, 4, 4, 8);
  return Buffer.concat([header, transactionId]);
}

describe('stunBindingOk', () => {
  it('sends a STUN Binding request and is true on a Binding success for it', async () => {
    const seen: Buffer[] = [];
    const port = await responder((request) => {
      seen.push(request);
      return response(request, 0x0101);
    });
    expect(await stunBindingOk(port)).toBe(true);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.readUInt16BE(0)).toBe(0x0001);
    expect(seen[0]?.readUInt32BE(4)).toBe(0x2112a442);
    expect(seen[0]?.length).toBe(20);
  });

  it('is false on an error response, or a success for another transaction', async () => {
    expect(await stunBindingOk(await responder((request) => response(request, 0x0111)))).toBe(false);
    expect(await stunBindingOk(await responder((request) => response(request, 0x0101, Buffer.alloc(12, 7))))).toBe(false);
  });

  it('is false after the timeout when nothing answers', async () => {
    const port = await responder(() => undefined);
    const started = Date.now();
    expect(await stunBindingOk(port, '127.0.0.1', 200)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
