/**
 * Measures how the gateway spreads Socket.IO sessions over signaling replicas, for the balancing
 * choice documented in infra/README.md. Not a test: it prints numbers and asserts nothing.
 *
 *   npx tsx infra/bench/signaling-balance.ts
 *
 * Three stand-in replicas (real Socket.IO servers, no Redis adapter, so a request that reaches
 * the wrong replica fails exactly as it would in production) behind the real gateway, with three
 * balancing variants of the same template:
 *   hybrid       the shipped config: least_conn for WebSocket-only sessions, affinity-cookie hash
 *                for long-polling sessions and their upgrades
 *   least_conn   every /socket.io/ request to the least_conn pool
 *   cookie_hash  every /socket.io/ request to the affinity-cookie hash pool
 * Everything runs on 127.0.0.1.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Server as SocketIoServer } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { findFreePort } from '../../packages/stack/src/ports.js';
import { gatewayComponent, webServerComponent } from '../../packages/stack/src/components/nginx.js';

const WEBSOCKET_SESSIONS = 300;
const POLLING_SESSIONS = 60;
const ACKS_PER_SESSION = 5;
const ACK_TIMEOUT_MS = 5_000;

type Variant = 'hybrid' | 'least_conn' | 'cookie_hash';

interface Replica {
  name: string;
  port: number;
  server: Server;
  io: SocketIoServer;
}

async function startReplica(name: string, port: number): Promise<Replica> {
  const server = createServer();
  const io = new SocketIoServer(server);
  io.on('connection', (socket) => socket.on('whoami', (ack: (replica: string) => void) => ack(name)));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return { name, port, server, io };
}

async function stopReplica(replica: Replica): Promise<void> {
  await new Promise<void>((resolve) => replica.io.close(() => resolve()));
}

function patchBalancing(file: string, variant: Variant): void {
  const config = readFileSync(file, 'utf8');
  const patched =
    variant === 'least_conn'
      ? config.replace('    default      signaling_sticky;', '    default      signaling;')
      : variant === 'cookie_hash'
        ? config.replace('    "websocket:" signaling;', '    "websocket:" signaling_sticky;')
        : config;
  if (variant !== 'hybrid' && patched === config) throw new Error(`could not patch the template for ${variant}`);
  writeFileSync(file, patched);
}

async function open(base: string, transports: string[]): Promise<{ socket: Socket; replica: string } | undefined> {
  const socket = connect(base, { transports, withCredentials: true, reconnection: false, forceNew: true, timeout: ACK_TIMEOUT_MS });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const replica = (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('whoami')) as string;
    return { socket, replica };
  } catch {
    socket.close();
    return undefined;
  }
}

function spread(replicas: string[]): string {
  const counts = new Map<string, number>();
  for (const replica of replicas) counts.set(replica, (counts.get(replica) ?? 0) + 1);
  const values = ['signaling-1', 'signaling-2', 'signaling-3'].map((name) => counts.get(name) ?? 0);
  return `${values.join('/')} (max-min ${Math.max(...values) - Math.min(...values)})`;
}

async function measure(variant: Variant): Promise<Record<string, string>> {
  const root = mkdtempSync(join(tmpdir(), `meshcall-balance-${variant}-`));
  const ports = [await findFreePort(), await findFreePort(), await findFreePort()];
  const replicas = await Promise.all(ports.map((port, index) => startReplica(`signaling-${index + 1}`, port)));
  const webPort = await findFreePort();
  const web = webServerComponent({ port: webPort, root, runDir: join(root, 'run'), logDir: join(root, 'logs') });
  const gatewayPort = await findFreePort();
  const gateway = gatewayComponent({
    port: gatewayPort,
    upstreams: { auth: [`127.0.0.1:${webPort}`], rooms: [`127.0.0.1:${webPort}`], signaling: ports.map((port) => `127.0.0.1:${port}`), web: `127.0.0.1:${webPort}` },
    runDir: join(root, 'run'),
    logDir: join(root, 'logs'),
  });
  patchBalancing(join(root, 'run', 'gateway.conf'), variant);
  await web.start();
  await gateway.start();
  const base = `http://127.0.0.1:${gatewayPort}`;
  const results: Record<string, string> = {};
  const live: Socket[] = [];
  try {
    // 1. WebSocket-only sessions (the web client): how evenly do they land?
    const landed: string[] = [];
    for (let i = 0; i < WEBSOCKET_SESSIONS; i++) {
      const session = await open(base, ['websocket']);
      if (session) {
        live.push(session.socket);
        landed.push(session.replica);
      }
    }
    results['websocket-only: sessions per replica'] = spread(landed);

    // 2. After replica 1 restarts, its clients have gone elsewhere; where do new sessions go?
    const onFirst = replicas[0] as Replica;
    await stopReplica(onFirst);
    replicas[0] = await startReplica(onFirst.name, onFirst.port);
    // nginx keeps a failed server out for fail_timeout (10 s) after the connection errors.
    await sleep(11_000);
    const stillLive = live.filter((socket) => socket.connected).length;
    const afterRestart: string[] = [];
    for (let i = 0; i < 100; i++) {
      const session = await open(base, ['websocket']);
      if (session) {
        live.push(session.socket);
        afterRestart.push(session.replica);
      }
    }
    results['websocket-only: 100 new sessions after replica 1 restarted'] = `${spread(afterRestart)}; ${stillLive} older sessions still connected`;
    for (const socket of live.splice(0)) socket.close();

    // 3. Long-polling sessions: does every request of a session reach its replica?
    let pollingOk = 0;
    const pollingReplicas: string[] = [];
    for (let i = 0; i < POLLING_SESSIONS; i++) {
      const session = await open(base, ['polling']);
      if (!session) continue;
      let ok = true;
      for (let ack = 0; ack < ACKS_PER_SESSION && ok; ack++) {
        try {
          ok = (await session.socket.timeout(ACK_TIMEOUT_MS).emitWithAck('whoami')) === session.replica && session.socket.connected;
        } catch {
          ok = false;
        }
      }
      if (ok) pollingOk += 1;
      pollingReplicas.push(session.replica);
      session.socket.close();
    }
    results['long-polling: sessions that worked'] = `${pollingOk}/${POLLING_SESSIONS}; landed ${spread(pollingReplicas)}`;

    // 4. Default client (polling first, then upgrade to WebSocket).
    let upgraded = 0;
    for (let i = 0; i < POLLING_SESSIONS; i++) {
      const session = await open(base, ['polling', 'websocket']);
      if (!session) continue;
      const engine = session.socket.io.engine;
      const didUpgrade = await Promise.race([
        new Promise<boolean>((resolve) => {
          if (engine.transport.name === 'websocket') resolve(true);
          engine.once('upgrade', () => resolve(true));
        }),
        sleep(3_000).then(() => false),
      ]);
      if (didUpgrade && session.socket.connected) upgraded += 1;
      session.socket.close();
    }
    results['polling then upgrade: sessions on WebSocket within 3 s'] = `${upgraded}/${POLLING_SESSIONS}`;
  } finally {
    for (const socket of live) socket.close();
    await gateway.stop();
    await web.stop();
    await Promise.all(replicas.map((replica) => stopReplica(replica)));
    rmSync(root, { recursive: true, force: true });
  }
  return results;
}

for (const variant of ['hybrid', 'least_conn', 'cookie_hash'] as const) {
  const results = await measure(variant);
  console.log(`\n## ${variant}`);
  for (const [what, value] of Object.entries(results)) console.log(`- ${what}: ${value}`);
}
