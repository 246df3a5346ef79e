import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { findFreePorts } from './free-ports.js';

function bindTcp(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

function bindUdp(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve()));
  });
}

describe('findFreePorts', () => {
  it('returns distinct ports that TCP and UDP can both bind on loopback', async () => {
    const ports = await findFreePorts('127.0.0.1', 3, { udp: true });
    expect(new Set(ports).size).toBe(3);
    for (const port of ports) {
      await bindTcp(port);
      await bindUdp(port);
    }
  });
});
