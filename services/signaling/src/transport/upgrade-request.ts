import type { Server as HttpServer } from 'node:http';
import type { SignalingServer } from '../types.js';

/**
 * Lets go of each WebSocket's upgrade request (headers, parser state: about 3-4 KiB) once the
 * connection is up, instead of keeping it for the connection's life as Engine.IO's session does.
 * The origin and the token are checked before that point, and nothing later reads the request
 * (the Socket.IO memory-usage guide's advice).
 *
 * engine.io is held at 6.6.11 for this (services/signaling/README.md, "Memory"): from 6.6.12 a
 * stand-in response keeps the request too, listening on the TCP socket for the connection's life.
 */
export function releaseUpgradeRequests(io: SignalingServer): void {
  io.engine.on('connection', (rawSocket: { request: unknown }) => {
    rawSocket.request = null;
  });
}

function ignoreAbortedUpgrade(): void {
  // The client went away before its upgrade was turned down; the socket is destroyed already.
}

/**
 * An upgrade request for a path Socket.IO does not serve gets an error listener at once.
 * engine.io 6.6.11 turns such a request away a second later and adds its listener only then, so a
 * client resetting the connection meanwhile raised an uncaught error that ended the process
 * (engine.io 6.6.12 fixed it the same way). Socket.IO's own upgrades get ws's listener in the same
 * tick, since the origin check answers synchronously and no Engine.IO middleware is installed.
 */
export function guardForeignUpgrades(server: HttpServer, socketIoPath: string): void {
  const served = `${socketIoPath.replace(/\/$/, '')}/`;
  server.on('upgrade', (request, socket) => {
    if (!request.url?.startsWith(served)) socket.on('error', ignoreAbortedUpgrade);
  });
}
