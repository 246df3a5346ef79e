import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { findFreePort } from './ports.js';

function tcpPortIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

function udpPortIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, host, () => socket.close(() => resolve(true)));
  });
}

/**
 * COUNT distinct ports free on HOST for TCP, and for UDP too when `udp` is set (TURN listens on
 * both), for pieces that bind them later all together (compose, a Testcontainers stack): probed
 * one by one with findFreePort, the kernel can hand out the same port twice. Another program may
 * still take one before Docker binds it; the stack then fails to start and says which port, so
 * the run is repeated rather than silently wrong.
 */
export async function findFreePorts(host: string, count: number, options: { udp: boolean }): Promise<number[]> {
  const ports: number[] = [];
  for (let attempt = 0; ports.length < count; attempt += 1) {
    if (attempt >= 50) throw new Error(`found only ${ports.length} of ${count} free ports on ${host} in 50 attempts`);
    const port = await findFreePort(host);
    if (ports.includes(port)) continue;
    if (options.udp && !(await udpPortIsFree(host, port))) continue;
    if (!(await tcpPortIsFree(host, port))) continue;
    ports.push(port);
  }
  return ports;
}
