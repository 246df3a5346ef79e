import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SignalingConnection } from '@meshcall/client';
import type { JoinRoomResponse, SessionResponse } from '@meshcall/shared';
import { PEER_FORBIDDEN, RELAY_ALLOCATED, TurnAllocationClient, createTestCertificates, findFreePorts, requestRelay, turnCredentials } from '@meshcall/stack';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCommand } from '../src/command.js';
import { ComposeProject, locateDockerTools, type ContainerState } from '../src/compose-project.js';
import { formatEnvFile, parseEnvFile } from '../src/env-file.js';
import { eventually } from '../src/eventually.js';
import { GatewayClient } from '../src/gateway-client.js';
import { http2Get, httpsGet, negotiatedAlpn } from '../src/https-probe.js';
import { PhaseTimer } from '../src/phase-timer.js';
import { sampleSum } from '../src/prometheus-text.js';
import { isTestSubnet } from '../src/test-addresses.js';
import {
  IMAGE_VARIABLES,
  TEST_BIND_ADDRESS,
  chooseImageSettings,
  composeEnvironment,
  gatewayOrigin,
  gatewayTlsOrigin,
  generateStackSecrets,
  type StackPorts,
} from '../src/stack-settings.js';

/**
 * The compose smoke test: docker-compose.yml as a user runs it, with three signaling replicas,
 * driven through the gateway like the web app (sign-up, room, tickets, two peers negotiating),
 * then taken down without leaving anything behind. Every published port is bound to 127.0.0.1.
 *
 * It runs with the TLS overlay (infra/docker-compose.tls.yml), the documented production set-up,
 * and a throw-away test CA: the plain port serves everything it serves without the overlay, and
 * the TLS port (443 in production, a free loopback port here) must serve the web app to HTTP
 * ALPNs and a TURN relay to a TURN client, through the gateway's ALPN routing.
 *
 * Needs a Docker engine (DOCKER_HOST, or scripts/docker/start-dockerd.sh's), the base images
 * present (infra/images/build.sh, or the official ones pulled beforehand: nothing is pulled here)
 * and, for the default NPM_CI_FLAGS=--offline, the npm cache filled by
 * scripts/docker/fill-npm-cache.sh. scripts/docker/ci-docker-tier.sh does all of that.
 */

/**
 * A signaling connection through the gateway as the web app opens one (@meshcall/client: WebSocket
 * only, the access token in the handshake, the page's Origin), without reconnection so a failure
 * shows at once; requests and awaited events give up after 10 s.
 */
function connectSignaling(origin: string, accessToken: string): Promise<SignalingConnection> {
  return SignalingConnection.connect({ url: origin, origin, accessToken: async () => accessToken, reconnection: false, connectTimeoutMs: 10_000, ackTimeoutMs: 10_000 });
}

const repoRoot = resolve(import.meta.dirname, '../../..');
const projectName = `meshcall-smoke-${process.pid}`;
const SIGNALING_REPLICAS = 3;
const TLS_OVERLAY = 'infra/docker-compose.tls.yml';
/**
 * More overlays after the TLS one, for a run by hand (CI runs the TLS overlay alone), e.g.
 * COMPOSE_SMOKE_OVERLAYS=infra/docker-compose.redis-cluster.yml: every check then runs on that stack.
 */
const EXTRA_OVERLAYS = (process.env.COMPOSE_SMOKE_OVERLAYS ?? '')
  .split(',')
  .map((file) => file.trim())
  .filter(Boolean);
for (const overlay of EXTRA_OVERLAYS) {
  if (!existsSync(join(repoRoot, overlay))) throw new Error(`COMPOSE_SMOKE_OVERLAYS: ${overlay} is not a file of the repository`);
}
const SERVICES = ['auth', 'coturn', 'gateway', 'mongo', 'redis', 'rooms', 'signaling', 'web'];
/** Jobs an overlay runs once (the Redis Cluster's formation): done when they exited with 0. */
const ONE_SHOT_SERVICES = new Set(['redis-cluster-init']);
const BUILT_SERVICES = ['auth', 'coturn', 'gateway', 'rooms', 'signaling', 'web'];
/** The services' defaults when neither the caller nor images.env names an image. */
const COMPOSE_DEFAULT_IMAGES: Record<(typeof IMAGE_VARIABLES)[number], string> = {
  NODE_IMAGE: 'node:24-bookworm-slim',
  NGINX_IMAGE: 'nginxinc/nginx-unprivileged:1.28-alpine',
  COTURN_IMAGE: 'coturn/coturn:4.6',
  MONGO_IMAGE: 'mongo:7',
  REDIS_IMAGE: 'redis:7',
};
const npmCiFlags = process.env.NPM_CI_FLAGS ?? '--offline';
const npmCacheDir = join(repoRoot, 'infra/images/npm-cache');
// Not .json: every .json under .test-results is a vitest report to CI's totals.
/** Beside the run's vitest report: a second pass (COMPOSE_SMOKE_REPORT) keeps the first's phases. */
const phasesReport = resolve(import.meta.dirname, `../.test-results/compose-smoke-phases${process.env.COMPOSE_SMOKE_REPORT ? `-${process.env.COMPOSE_SMOKE_REPORT}` : ''}.tsv`);

const timer = new PhaseTimer();
let project: ComposeProject;
let scratch: string;
let ports: StackPorts;
/** The test CA's certificate (PEM): what the HTTPS and TURN-over-TLS clients trust. */
let testCa: Buffer;
let gateway: GatewayClient;
let stackIsUp = false;
let tornDown = false;
let anyTestFailed = false;
/** Volumes the containers mounted; anonymous ones (image VOLUMEs) carry no project label, so they are recorded while the containers exist. */
let mountedVolumes: string[] = [];
const sockets: SignalingConnection[] = [];

function requireStack(): void {
  if (!stackIsUp) throw new Error('the stack did not come up (see the first failure)');
}

async function signalingReplicas(): Promise<ContainerState[]> {
  return (await project.containers()).filter((container) => container.service === 'signaling');
}

/** A replica's Prometheus metrics, fetched inside its container: /metrics is not public. */
function replicaMetrics(replica: ContainerState): Promise<string> {
  const script = "fetch('http://127.0.0.1:3000/metrics').then(r=>r.text()).then(t=>process.stdout.write(t),()=>process.exit(1))";
  return project.exec(replica.id, ['node', '-e', script], 30_000);
}

async function connectedSocketsPerReplica(replicas: ContainerState[]): Promise<number[]> {
  return Promise.all(
    replicas.map(async (replica) => {
      const value = sampleSum(await replicaMetrics(replica), 'signaling_connected_sockets');
      if (value === undefined) throw new Error(`${replica.name} exports no signaling_connected_sockets`);
      return value;
    }),
  );
}

beforeAll(async () => {
  await timer.time('prerequisites', async () => {
    const tools = await locateDockerTools(process.env);
    const engine = await runCommand(tools.docker, ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 15_000, env: tools.env });
    if (engine.code !== 0) throw new Error(`no Docker engine answers (${tools.env.DOCKER_HOST ?? 'default socket'}): ${engine.stderr.trim()}`);

    const offlineSet = parseEnvFile(readFileSync(join(repoRoot, 'infra/images/images.env'), 'utf8'));
    const images = chooseImageSettings(offlineSet, process.env);
    const missing: string[] = [];
    for (const variable of IMAGE_VARIABLES) {
      const image = images[variable] ?? COMPOSE_DEFAULT_IMAGES[variable];
      const found = await runCommand(tools.docker, ['image', 'inspect', '--format', '{{.Id}}', image], { timeoutMs: 15_000, env: tools.env });
      if (found.code !== 0) missing.push(`${variable}=${image}`);
    }
    if (missing.length > 0) {
      throw new Error(`images missing from the engine: ${missing.join(', ')}. Nothing is pulled during a run: build the offline set (infra/images/build.sh) or pull them first.`);
    }
    if (npmCiFlags.includes('--offline') && !existsSync(join(npmCacheDir, '_cacache'))) {
      throw new Error(`NPM_CI_FLAGS=${npmCiFlags} needs the npm cache: scripts/docker/fill-npm-cache.sh infra/images/npm-cache`);
    }

    const [gatewayPort, gatewayTlsPort, turnPort, turnTlsPort] = await findFreePorts(TEST_BIND_ADDRESS, 4, { udp: true });
    ports = { gateway: gatewayPort as number, gatewayTls: gatewayTlsPort as number, turn: turnPort as number, turnTls: turnTlsPort as number };
    scratch = mkdtempSync(join(tmpdir(), 'meshcall-compose-smoke-'));
    // The TLS overlay's TLS_CERT_DIR: a server certificate for 127.0.0.1 from a CA made for this
    // run. The folder is mounted into the gateway (uid 101) and coturn (nobody), so its files
    // must be readable by both; the key is a throw-away one, deleted with the scratch folder.
    const certDir = join(scratch, 'certs');
    mkdirSync(certDir, { mode: 0o755 });
    const certificates = await createTestCertificates(certDir, TEST_BIND_ADDRESS);
    for (const file of readdirSync(certDir)) chmodSync(join(certDir, file), 0o644);
    testCa = readFileSync(certificates.caFile);
    // The run's .env: fresh secrets, readable by this user only, removed with the scratch folder.
    const envFile = join(scratch, 'smoke.env');
    writeFileSync(envFile, formatEnvFile(composeEnvironment(images, ports, generateStackSecrets(), certDir)), { mode: 0o600 });
    project = new ComposeProject(projectName, tools, repoRoot, envFile, [TLS_OVERLAY, ...EXTRA_OVERLAYS]);
    gateway = new GatewayClient(gatewayOrigin(ports));
  });
}, 120_000);

beforeEach((context) => {
  context.onTestFailed(() => {
    anyTestFailed = true;
  });
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  if (project && !tornDown) {
    if (anyTestFailed) {
      const logs = await project.compose(['logs', '--no-color', '--tail', '30'], 60_000).catch((error: Error) => error.message);
      console.log(`--- ${projectName}: last log lines of every container ---\n${logs}`);
    }
    await project.compose(['down', '--volumes', '--remove-orphans', '--timeout', '10'], 180_000).catch((error: Error) => console.error(`cleanup: ${error.message}`));
  }
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  mkdirSync(resolve(phasesReport, '..'), { recursive: true });
  writeFileSync(phasesReport, ['phase\tseconds\toutcome', ...timer.records.map((record) => `${record.phase}\t${record.seconds}\t${record.outcome}`)].join('\n') + '\n');
  console.log(`compose smoke test, time per phase (${projectName}):\n${timer.table()}`);
}, 240_000);

describe(`docker-compose.yml with ${[TLS_OVERLAY, ...EXTRA_OVERLAYS].join(' and ')}, signaling scaled to ${SIGNALING_REPLICAS}`, () => {
  it('builds the stack images from the Dockerfiles on the chosen base images', async () => {
    await timer.time('build images', () => project.compose(['build', '--build-arg', `NPM_CI_FLAGS=${npmCiFlags}`], 30 * 60_000));
    for (const service of BUILT_SERVICES) {
      const image = await project.docker(['image', 'inspect', '--format', '{{.Config.User}}', `meshcall/stack-${service}:local`], 15_000);
      expect(image.trim(), `${service} runs as`).not.toMatch(/^(|root|0)(:.*)?$/);
    }
  });

  it('comes up healthy, every port published on loopback only, by the gateway and coturn alone', async () => {
    await timer.time('up --scale signaling=3', () => project.compose(['up', '--detach', '--no-build', '--scale', `signaling=${SIGNALING_REPLICAS}`], 10 * 60_000));
    const containers = await timer.time('wait until healthy', () =>
      eventually(
        'every container healthy and the gateway answering',
        async () => {
          const current = await project.containers();
          const unhealthy = current
            .filter((container) => (ONE_SHOT_SERVICES.has(container.service) ? container.exitCode !== 0 : container.health !== 'healthy'))
            .map((container) => `${container.name}: ${container.health ?? (container.exitCode === undefined ? 'no health check' : `exited ${container.exitCode}`)}`);
          if (unhealthy.length > 0) throw new Error(unhealthy.join(', '));
          for (const path of ['/healthz', '/api/auth/readyz', '/api/rooms/readyz', '/api/signaling/readyz']) {
            const { status } = await gateway.probe(path);
            if (status !== 200) throw new Error(`${path} answered ${status}`);
          }
          return current;
        },
        { timeoutMs: 4 * 60_000, intervalMs: 2_000 },
      ),
    );
    mountedVolumes = [...new Set(containers.flatMap((container) => container.volumes))];
    stackIsUp = true;

    // Every service of the files, overlays included, has its container (the plain file's are SERVICES).
    const services = (await project.compose(['config', '--services'], 60_000)).split('\n').filter(Boolean).sort();
    expect(services).toEqual(expect.arrayContaining(SERVICES));
    expect([...new Set(containers.map((container) => container.service))].sort()).toEqual(services);
    expect(containers.filter((container) => container.service === 'signaling')).toHaveLength(SIGNALING_REPLICAS);
    const publishing = [...new Set(containers.filter((container) => container.ports.length > 0).map((container) => container.service))].sort();
    expect(publishing).toEqual(['coturn', 'gateway']);
    for (const container of containers) {
      for (const port of container.ports) expect(port.hostIp, `${container.name} ${port.containerPort}`).toBe(TEST_BIND_ADDRESS);
    }
    // The tier's engine cuts every network from the benchmarking block, never from Docker's
    // 172.16/12 or 192.168/16 defaults: tests send traffic only to loopback and the test blocks.
    const subnets = await project.subnets();
    expect(subnets.map(({ network }) => network)).toEqual(expect.arrayContaining([`${project.name}_backend`]));
    for (const { network, subnet } of subnets) expect(isTestSubnet(subnet), `${network} ${subnet}`).toBe(true);
    const web = await gateway.probe('/');
    expect(web.status).toBe(200);
    expect(web.body).toContain('<html');
  });

  let alice: SessionResponse;
  let bob: SessionResponse;
  let aliceJoin: JoinRoomResponse;
  let bobJoin: JoinRoomResponse;

  it('signs up two people, creates a room and hands each a join ticket, all through the gateway', async () => {
    requireStack();
    await timer.time('sign-up, room, tickets', async () => {
      const run = randomBytes(4).toString('hex');
      alice = await gateway.register({ name: 'Alice', email: `alice-${run}@example.test`, password: 'correct horse battery staple' });
      bob = await gateway.register({ name: 'Bob', email: `bob-${run}@example.test`, password: 'correct horse battery staple' });
      const room = await gateway.createRoom(alice.accessToken, { name: `Compose smoke ${run}`, kind: 'business' });
      aliceJoin = await gateway.joinRoom(alice.accessToken, room.id);
      bobJoin = await gateway.joinRoom(bob.accessToken, room.id);
    });
    expect(aliceJoin.room.id).toBe(bobJoin.room.id);
    expect(aliceJoin.ticket).not.toBe(bobJoin.ticket);
    // Browsers are told where this deployment's coturn is: TURN_HOST and the published TURN_PORT.
    expect(turnCredentials(aliceJoin.iceServers).urls.some((url) => url.startsWith(`turn:${TEST_BIND_ADDRESS}:${ports.turn}`))).toBe(true);
    // With the TLS overlay, turns: points at the gateway's TLS port, where TURN shares 443 with HTTPS.
    expect(turnCredentials(aliceJoin.iceServers).urls).toContain(`turns:${TEST_BIND_ADDRESS}:${ports.gatewayTls}?transport=tcp`);
  });

  /** Which replica served each socket, in connection order. */
  const replicaOfSocket: string[] = [];

  it(`spreads Socket.IO sessions through the gateway over all ${SIGNALING_REPLICAS} replicas`, async () => {
    requireStack();
    const replicas = await signalingReplicas();
    await timer.time('sockets on every replica', async () => {
      expect(await connectedSocketsPerReplica(replicas)).toEqual(replicas.map(() => 0));
      // Alice's socket first, then Bob's, until every replica holds one (at most two rounds).
      for (let index = 0; index < 2 * SIGNALING_REPLICAS && new Set(replicaOfSocket).size < SIGNALING_REPLICAS; index += 1) {
        const session = index === 0 ? alice : bob;
        sockets.push(await connectSignaling(gateway.origin, session.accessToken));
        // The replica whose connected-socket count went up is the one that took this socket.
        const counts = await eventually(
          `socket ${index + 1} counted by a replica`,
          async () => {
            const current = await connectedSocketsPerReplica(replicas);
            return current.reduce((sum, count) => sum + count, 0) === sockets.length ? current : undefined;
          },
          { timeoutMs: 15_000, intervalMs: 250 },
        );
        const took = replicas.findIndex((_replica, at) => (counts[at] ?? 0) > replicaOfSocket.filter((name) => name === replicas[at]?.name).length);
        replicaOfSocket.push(replicas[took]?.name ?? 'unknown');
      }
    });
    expect(new Set(replicaOfSocket)).toEqual(new Set(replicas.map((replica) => replica.name)));
  });

  it('relays an offer and its answer between two peers seated on different replicas', async () => {
    requireStack();
    const aliceSocket = sockets[0];
    const bobIndex = replicaOfSocket.findIndex((replica, index) => index > 0 && replica !== replicaOfSocket[0]);
    const bobSocket = sockets[bobIndex];
    if (!aliceSocket || !bobSocket) throw new Error(`no two sockets on different replicas: ${replicaOfSocket.join(', ')}`);
    const offerSdp = 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n';
    const answerSdp = offerSdp.replace('4611731400430051336', '7302198127365520117');

    const { seatedAlice, seatedBob, offer, answer } = await timer.time('join + offer/answer', async () => {
      const seatedAlice = await aliceSocket.join(aliceJoin.ticket);
      const aliceHearsBob = aliceSocket.next('peer:joined');
      const seatedBob = await bobSocket.join(bobJoin.ticket);
      expect((await aliceHearsBob).peerId).toBe(seatedBob.peerId);

      // The newcomer offers and the seated peer answers, as the web app does.
      const offerArrives = aliceSocket.next('signal');
      await bobSocket.signal(seatedAlice.peerId, { description: { type: 'offer', sdp: offerSdp } });
      const offer = await offerArrives;
      const answerArrives = bobSocket.next('signal');
      await aliceSocket.signal(offer.from, { description: { type: 'answer', sdp: answerSdp } });
      return { seatedAlice, seatedBob, offer, answer: await answerArrives };
    });

    expect(seatedBob.peers.map((peer) => peer.peerId)).toEqual([seatedAlice.peerId]);
    expect(offer).toMatchObject({ from: seatedBob.peerId, description: { type: 'offer', sdp: offerSdp } });
    expect(answer).toMatchObject({ from: seatedAlice.peerId, description: { type: 'answer', sdp: answerSdp } });
    // Both crossed from one container to another (through Redis), as each replica's metrics say.
    const metrics = await Promise.all((await signalingReplicas()).map(replicaMetrics));
    const crossReplica = metrics.map((text) => sampleSum(text, 'signaling_relay_latency_seconds_count', { path: 'cross-replica' }) ?? 0);
    expect(crossReplica.reduce((sum, count) => sum + count, 0)).toBe(2);
  });

  it("grants a TURN relay for the join's credentials and refuses forged ones and internal peers", async () => {
    requireStack();
    const credentials = turnCredentials(aliceJoin.iceServers);
    const loopbackPeer = { address: '127.0.0.1', port: 9 };
    const [granted, forged] = await timer.time('TURN allocations', () =>
      Promise.all([
        requestRelay({ port: ports.turn, credentials, peer: loopbackPeer }),
        requestRelay({ port: ports.turn, credentials: { username: credentials.username, credential: Buffer.from('forged').toString('base64') }, peer: loopbackPeer }),
      ]),
    );
    expect(granted).toMatch(RELAY_ALLOCATED);
    // The production deny list holds inside the container too: no relaying into loopback.
    expect(granted).toMatch(PEER_FORBIDDEN);
    expect(forged).not.toMatch(RELAY_ALLOCATED);
    expect(forged).toContain('Cannot complete Allocation');
  });

  it('permits a relay towards a public IPv4 peer (asked with CreatePermission only: nothing is sent)', async () => {
    requireStack();
    // Issue 19: a deny-list line starting at "::" made coturn refuse every IPv4 peer, and the test
    // above (internal peers refused) could not notice. A permission makes coturn send nothing to
    // the peer, so asking about a public address is safe.
    const client = await TurnAllocationClient.open({ host: TEST_BIND_ADDRESS, port: ports.turn }, turnCredentials(aliceJoin.iceServers));
    try {
      const allocation = await client.allocate({ family: 4 });
      expect(allocation).toMatchObject({ ok: true });
      expect(await client.createPermission('8.8.8.8')).toEqual({ ok: true });
      expect(await client.createPermission('169.254.169.254')).toMatchObject({ ok: false, code: 403 });
    } finally {
      await client.release();
      client.close();
    }
  });

  it('serves the web app on the TLS port to the HTTP ALPNs browsers offer, signed by the test CA', async () => {
    requireStack();
    const origin = gatewayTlsOrigin(ports);
    const [h1, h2, api, chromiumOffer] = await timer.time('HTTPS on the TLS port', () =>
      Promise.all([
        // The ALPN offer decides where the edge sends the connection; Node's https offers none unless told.
        httpsGet(`${origin}/`, { ca: testCa, alpnProtocols: ['http/1.1'] }),
        // Node's http2 client offers h2 alone.
        http2Get(`${origin}/`, { ca: testCa }),
        http2Get(`${origin}/api/rooms/readyz`, { ca: testCa }),
        // What Chromium offers: the HTTPS server picks h2 from it (coturn would pick nothing).
        negotiatedAlpn(origin, { ca: testCa, alpnProtocols: ['h2', 'http/1.1'] }),
      ]),
    );
    for (const [label, page] of [['http/1.1', h1], ['h2', h2]] as const) {
      expect(page.alpnProtocol, label).toBe(label);
      expect(page.status, label).toBe(200);
      // The web app itself, from the gateway's HTTPS server (HSTS is sent only there), not coturn.
      expect(page.body, label).toContain('<title>meshcall</title>');
      expect(page.headers['strict-transport-security'], label).toBe('max-age=31536000');
    }
    expect(chromiumOffer).toBe('h2');
    expect(api.status).toBe(200);
    expect(JSON.parse(api.body)).toMatchObject({ status: 'ok', service: 'rooms' });
  });

  it("grants a TURN relay over TLS on the same port, as a browser's turns: client asks for one", async () => {
    requireStack();
    const credentials = turnCredentials(bobJoin.iceServers);
    const url = credentials.urls.find((candidate) => candidate.startsWith('turns:'));
    const match = /^turns:([^:?]+):(\d+)/.exec(url ?? '');
    if (!match) throw new Error(`no turns: URL among ${credentials.urls.join(', ')}`);
    const server = { host: match[1] as string, port: Number(match[2]) };
    // No ALPN, as Chromium's TURN client connects; then RFC 7443's "stun.turn", which any other
    // client may offer: the edge sends both on to coturn, which terminates the TLS itself.
    for (const alpnProtocols of [undefined, ['stun.turn']]) {
      const label = alpnProtocols ? `ALPN ${alpnProtocols.join(',')}` : 'no ALPN';
      const client = await timer.time(`TURN over TLS (${label})`, () => TurnAllocationClient.open(server, credentials, { tls: { ca: testCa, ...(alpnProtocols ? { alpnProtocols } : {}) } }));
      try {
        const allocation = await client.allocate({ family: 4 });
        expect(allocation, label).toMatchObject({ ok: true, relayed: { port: expect.any(Number) } });
        // Nothing HTTP was negotiated: the connection reached coturn, not the HTTPS server.
        expect(client.alpnProtocol === false || client.alpnProtocol === 'stun.turn', label).toBe(true);
      } finally {
        await client.release();
        client.close();
      }
    }
  });

  it('goes down with down -v and leaves no container, network or volume behind', async () => {
    requireStack();
    for (const socket of sockets.splice(0)) socket.close();
    await timer.time('down -v', () => project.compose(['down', '--volumes', '--remove-orphans', '--timeout', '10'], 3 * 60_000));
    tornDown = true;
    expect(mountedVolumes.length).toBeGreaterThan(0);
    expect(await project.leftovers(mountedVolumes)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
