/** Child-process entry of the naive tutorial-style relay (see naive-relay.ts): a port on 127.0.0.1. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveAsChild } from './child-harness.js';
import { attachNaiveRelay } from './naive-relay.js';

const server = createServer();
attachNaiveRelay(server);
server.listen(0, '127.0.0.1', () => serveAsChild((server.address() as AddressInfo).port));
