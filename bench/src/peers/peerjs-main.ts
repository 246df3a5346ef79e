/**
 * Child-process entry of PeerJS server (the `peer` package, as `peerjs --port` would run it),
 * on a free port of 127.0.0.1. One change from its defaults, said in the report: its
 * `concurrent_limit` (5,000 clients) is raised so the 10,000-connection memory step can run.
 * It is mounted under /socket.io (`peerjs --path /socket.io`), so the same nginx location that
 * carries meshcall's and the naive relay's WebSockets carries its own (peers/peer-gateway.ts).
 */
import type { AddressInfo } from 'node:net';
import { PeerServer } from 'peer';
import { serveAsChild } from './child-harness.js';

export const PEERJS_CONCURRENT_LIMIT = 20_000;

PeerServer({ host: '127.0.0.1', port: 0, path: '/socket.io', concurrent_limit: PEERJS_CONCURRENT_LIMIT }, (server) => {
  serveAsChild((server.address() as AddressInfo).port);
});
