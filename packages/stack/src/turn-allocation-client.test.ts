import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCertificates } from './test-certificates.js';
import { TurnAllocationClient } from './turn-allocation-client.js';

/*
 * The TLS transport against a stand-in server that speaks just enough STUN: the 401 challenge,
 * then a CreatePermission success, each answer written in two pieces so the client must frame
 * messages by their header length. The real thing (coturn behind the gateway's TLS edge) is
 * asked by the compose smoke test.
 */

const HEADER = 20;
const MAGIC_COOKIE = 0x2112a442;
const credentials = { username: '1700000000:alice', credential: 'c2VjcmV0' };

interface Seen {
  type: number;
  attributeTypes: number[];
}

function attributesOf(message: Buffer): number[] {
  const types: number[] = [];
  for (let offset = HEADER; offset + 4 <= message.length; ) {
    const size = message.readUInt16BE(offset + 2);
    types.push(message.readUInt16BE(offset));
    offset += 4 + size + ((4 - (size % 4)) % 4);
  }
  return types;
}

function message(type: number, transactionId: Buffer, attributes: Array<[number, Buffer]>): Buffer {
  const body = Buffer.concat(
    attributes.map(([attributeType, value]) => {
      const header = Buffer.alloc(4);
      header.writeUInt16BE(attributeType, 0);
      header.writeUInt16BE(value.length, 2);
      return Buffer.concat([header, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
    }),
  );
  const header = Buffer.alloc(HEADER);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(body.length, 2);
  header.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(header, 8);
  return Buffer.concat([header, body]);
}

/** Answers the first request with 401 (REALM, NONCE) and every later one with success. */
function answer(socket: TLSSocket, request: Buffer, seen: Seen[]): void {
  const type = request.readUInt16BE(0);
  const transactionId = request.subarray(8, 20);
  seen.push({ type, attributeTypes: attributesOf(request) });
  const reply =
    seen.length === 1
      ? message(type | 0x0110, transactionId, [
          [0x0009, Buffer.from([0, 0, 4, 1, ...Buffer.from('Unauthorized')])],
          [0x0014, Buffer.from('meshcall.test')],
          [0x0015, Buffer.from('nonce-1')],
        ])
      : message(type | 0x0100, transactionId, []);
  // In two writes, with a pause: one STUN message arriving in two TCP reads.
  socket.write(reply.subarray(0, 7));
  setTimeout(() => socket.write(reply.subarray(7)), 20);
}

describe('TurnAllocationClient over TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshcall-turn-tls-'));
  let server: Server;
  let port = 0;
  let ca: Buffer;
  const seen: Seen[] = [];
  let closeNextConnection = false;

  beforeAll(async () => {
    const certificates = await createTestCertificates(dir, '127.0.0.1');
    ca = readFileSync(certificates.caFile);
    server = createServer({ key: readFileSync(join(dir, 'privkey.pem')), cert: readFileSync(join(dir, 'fullchain.pem')), ALPNProtocols: ['stun.turn'] }, (socket) => {
      if (closeNextConnection) {
        socket.once('data', () => socket.destroy());
        return;
      }
      let buffered = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= HEADER && buffered.length >= HEADER + buffered.readUInt16BE(2)) {
          const size = HEADER + buffered.readUInt16BE(2);
          answer(socket, buffered.subarray(0, size), seen);
          buffered = buffered.subarray(size);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the challenge with the long-term credential and reads answers split across reads', async () => {
    const client = await TurnAllocationClient.open({ host: '127.0.0.1', port }, credentials, { tls: { ca } });
    try {
      expect(client.alpnProtocol).toBe(false);
      expect(await client.createPermission('192.0.2.1')).toEqual({ ok: true });
    } finally {
      client.close();
    }
    expect(seen.map((request) => request.type)).toEqual([0x0008, 0x0008]);
    // USERNAME, REALM, NONCE and MESSAGE-INTEGRITY on the second, none on the first.
    expect(seen[0]?.attributeTypes).not.toContain(0x0006);
    expect(seen[1]?.attributeTypes).toEqual(expect.arrayContaining([0x0006, 0x0014, 0x0015, 0x0008]));
  });

  it('offers the ALPN protocols it is given', async () => {
    const client = await TurnAllocationClient.open({ host: '127.0.0.1', port }, credentials, { tls: { ca, alpnProtocols: ['stun.turn'] } });
    client.close();
    expect(client.alpnProtocol).toBe('stun.turn');
  });

  it('refuses a server its CA did not sign', async () => {
    await expect(TurnAllocationClient.open({ host: '127.0.0.1', port }, credentials, { tls: {} })).rejects.toThrow(/certificate/);
  });

  it('fails a request at once when the server closes the connection, rather than waiting it out', async () => {
    closeNextConnection = true;
    const client = await TurnAllocationClient.open({ host: '127.0.0.1', port }, credentials, { tls: { ca } });
    const started = Date.now();
    try {
      await expect(client.createPermission('192.0.2.1')).rejects.toThrow(/closed/);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      closeNextConnection = false;
      client.close();
    }
  });
});
