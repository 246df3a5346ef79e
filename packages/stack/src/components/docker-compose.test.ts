import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { productionCoturnConfig } from './coturn.js';
import { infraDir, templateVariables } from './nginx.js';
import { SERVICE_NODE_FLAGS } from './service.js';

/**
 * Checks the Docker deployment without a Docker engine: the compose file against the Compose
 * schema (docker-compose 1.29 validates without an engine), and what the issue requires of it
 * by reading the files.
 */
const repoRoot = join(infraDir, '..');

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string; args?: Record<string, string> };
  container_name?: string;
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
  networks?: string[];
  command?: string | string[];
  entrypoint?: string[];
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  networks?: Record<string, { internal?: boolean } | null>;
}

function readCompose(file: string): ComposeFile {
  // merge: the shared environment and health check are YAML merge keys (<<), as Compose reads them.
  return parse(readFileSync(join(repoRoot, file), 'utf8'), { merge: true }) as ComposeFile;
}

const compose = readCompose('docker-compose.yml');
const services = compose.services;
const service = (name: string): ComposeService => {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};

/** An empty env file, so a developer's own .env cannot change what these tests see. */
const emptyEnvFile = join(mkdtempSync(join(tmpdir(), 'meshcall-compose-env-')), 'empty.env');
writeFileSync(emptyEnvFile, '');

function dockerComposeConfig(files: string[], env: NodeJS.ProcessEnv): Promise<{ ok: boolean; output: string }> {
  const args = ['--env-file', emptyEnvFile, ...files.flatMap((file) => ['-f', file]), 'config', '-q'];
  return new Promise((resolve) => {
    execFile('docker-compose', args, { cwd: repoRoot, env: { PATH: process.env.PATH, ...env }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ ok: !error, output: `${stdout}${stderr}` }),
    );
  });
}

describe('docker-compose.yml against the Compose schema (docker-compose config)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'meshcall-compose-'));
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(join(emptyEnvFile, '..'), { recursive: true, force: true });
  });

  it('is valid, alone and with the TLS overlay, the second coturn or the Redis Cluster', async () => {
    const plain = await dockerComposeConfig(['docker-compose.yml'], { TURN_SECRET: 'x' });
    expect(plain.output).toBe('');
    expect(plain.ok).toBe(true);
    const tls = await dockerComposeConfig(['docker-compose.yml', 'infra/docker-compose.tls.yml'], { TURN_SECRET: 'x' });
    expect(tls.output).toBe('');
    expect(tls.ok).toBe(true);
    const pair = await dockerComposeConfig(['docker-compose.yml', 'infra/docker-compose.turn-pair.yml'], { TURN_SECRET: 'x' });
    expect(pair.output).toBe('');
    expect(pair.ok).toBe(true);
    const cluster = await dockerComposeConfig(['docker-compose.yml', 'infra/docker-compose.redis-cluster.yml'], { TURN_SECRET: 'x' });
    expect(cluster.output).toBe('');
    expect(cluster.ok).toBe(true);
  });

  it('refuses to start without TURN_SECRET instead of running with an empty one', async () => {
    const result = await dockerComposeConfig(['docker-compose.yml'], {});
    expect(result.ok).toBe(false);
    expect(result.output).toContain('set TURN_SECRET in .env');
  });

  it('would notice an invalid file (the validator really validates)', async () => {
    const broken = join(scratch, 'docker-compose.yml');
    writeFileSync(broken, readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8').replace('restart: unless-stopped', 'restart: unless-stopped\n    restart_policy_typo: always'));
    const result = await dockerComposeConfig([broken], { TURN_SECRET: 'x' });
    expect(result.ok).toBe(false);
    expect(result.output).toContain('restart_policy_typo');
  });
});

describe('docker-compose.yml as the issue requires it', () => {
  it('has the whole stack', () => {
    expect(Object.keys(services).sort()).toEqual(['auth', 'coturn', 'gateway', 'mongo', 'redis', 'rooms', 'signaling', 'web']);
  });

  it('gives every service a health check and a restart policy, and no container_name', () => {
    for (const [name, definition] of Object.entries(services)) {
      expect(definition.healthcheck?.test.length, name).toBeGreaterThan(0);
      expect(definition.restart, name).toBe('unless-stopped');
      expect(definition.container_name, name).toBeUndefined();
    }
  });

  it('starts each service only after what it needs is healthy', () => {
    const needs: Record<string, string[]> = {
      auth: ['mongo', 'redis'],
      rooms: ['auth', 'mongo', 'redis'],
      signaling: ['auth', 'redis', 'rooms'],
      gateway: ['auth', 'rooms', 'signaling', 'web'],
    };
    for (const [name, dependencies] of Object.entries(needs)) {
      const dependsOn = service(name).depends_on ?? {};
      expect(Object.keys(dependsOn).sort(), name).toEqual(dependencies);
      for (const dependency of dependencies) expect(dependsOn[dependency]?.condition, `${name} → ${dependency}`).toBe('service_healthy');
    }
  });

  it('publishes ports only on the gateway (one port, 8080 by default) and coturn; signaling can scale', () => {
    const publishing = Object.entries(services)
      .filter(([, definition]) => (definition.ports ?? []).length > 0)
      .map(([name]) => name)
      .sort();
    expect(publishing).toEqual(['coturn', 'gateway']);
    expect(service('gateway').ports).toEqual(['${GATEWAY_BIND:-0.0.0.0}:${GATEWAY_PORT:-8080}:8080']);
    expect(service('signaling').ports).toBeUndefined();
  });

  it('publishes exactly the relay range it gives coturn, a narrower one than the host-networking default', () => {
    const range = '${TURN_MIN_PORT:-49152}-${TURN_MAX_PORT:-49407}';
    expect(service('coturn').ports).toContain(`\${TURN_BIND:-0.0.0.0}:${range}:${range}/udp`);
    // The entrypoint turns these into min-port/max-port and a total-quota of the range's size.
    expect(service('coturn').environment).toMatchObject({ TURN_MIN_PORT: '${TURN_MIN_PORT:-49152}', TURN_MAX_PORT: '${TURN_MAX_PORT:-49407}' });
    const config = readFileSync(productionCoturnConfig, 'utf8');
    const configured = (option: string) => Number(new RegExp(`^${option}=(\\d+)$`, 'm').exec(config)?.[1]);
    expect(configured('min-port')).toBeLessThanOrEqual(49152);
    expect(configured('max-port')).toBeGreaterThanOrEqual(49407);
    expect(service('coturn').ports).toEqual(
      expect.arrayContaining(['${TURN_BIND:-0.0.0.0}:${TURN_PORT:-3478}:3478/udp', '${TURN_BIND:-0.0.0.0}:${TURN_PORT:-3478}:3478/tcp', '${TURN_BIND:-0.0.0.0}:${TURN_TLS_PORT:-5349}:5349/tcp']),
    );
  });

  it('keeps databases and services on an internal network and coturn on its own', () => {
    expect(compose.networks?.backend?.internal).toBe(true);
    for (const name of ['mongo', 'redis', 'auth', 'rooms', 'signaling', 'web']) expect(service(name).networks, name).toEqual(['backend']);
    expect(service('gateway').networks).toEqual(['backend', 'edge']);
    expect(service('coturn').networks).toEqual(['turn']);
  });

  it('takes every image from an overridable variable with an official default', () => {
    expect(service('mongo').image).toBe('${MONGO_IMAGE:-mongo:7}');
    expect(service('redis').image).toBe('${REDIS_IMAGE:-redis:7}');
    // Build arguments named *_IMAGE are base images; SERVICE only picks the workspace.
    const baseImages = Object.values(services).flatMap((definition) =>
      Object.entries(definition.build?.args ?? {})
        .filter(([name]) => name.endsWith('_IMAGE'))
        .map(([, value]) => value),
    );
    expect(baseImages.length).toBeGreaterThan(0);
    for (const image of baseImages) expect(image).toMatch(/^\$\{[A-Z_]+_IMAGE:-[a-z0-9./-]+:[a-z0-9.-]+\}$/);
    expect(baseImages).toContain('${NODE_IMAGE:-node:24-bookworm-slim}');
    expect(baseImages).toContain('${COTURN_IMAGE:-coturn/coturn:4.6}');
  });

  it('passes each service the environment names the services read', () => {
    const required: Record<string, string[]> = {
      auth: ['MONGO_URL', 'REDIS_URL', 'AUTH_SIGNING_KEY'],
      rooms: ['MONGO_URL', 'REDIS_URL', 'AUTH_JWKS_URL', 'ROOMS_SIGNING_KEY', 'TURN_SECRET', 'TURN_HOST', 'TURN_PORT', 'TURN_TLS_PORT', 'TURN_SERVERS', 'TURN_HEALTH_CHECK'],
      signaling: ['REDIS_URL', 'AUTH_JWKS_URL', 'ROOMS_JWKS_URL'],
    };
    for (const [name, variables] of Object.entries(required)) {
      const environment = service(name).environment ?? {};
      for (const variable of [...variables, 'NODE_ENV', 'PORT', 'DATA_DIR', 'ALLOWED_ORIGINS', 'TRUST_PROXY']) expect(environment, `${name}: ${variable}`).toHaveProperty(variable);
      // Reachable from the gateway, which is another container.
      expect(environment.HOST, name).toBe('0.0.0.0');
    }
    expect(service('coturn').environment?.TURN_SECRET).toBe(service('rooms').environment?.TURN_SECRET);
  });

  it('sets every variable the gateway templates use, with upstreams re-resolved through Docker DNS', () => {
    const gatewayEnv = service('gateway').environment ?? {};
    const tlsOverlay = readCompose('infra/docker-compose.tls.yml').services.gateway?.environment ?? {};
    const dockerfile = readFileSync(join(infraDir, 'nginx', 'gateway.Dockerfile'), 'utf8');
    const filter = new RegExp(/NGINX_ENVSUBST_FILTER="([^"]+)"/.exec(dockerfile)?.[1] ?? '^$');
    const plain = templateVariables(readFileSync(join(infraDir, 'nginx', 'templates', 'gateway.conf.template'), 'utf8'));
    const tls = [
      ...templateVariables(readFileSync(join(infraDir, 'nginx', 'tls', 'gateway-tls.conf.template'), 'utf8')),
      // The TLS edge (stream context), rendered from the stream template folder the overlay sets.
      ...templateVariables(readFileSync(join(infraDir, 'nginx', 'tls', 'stream', 'gateway-tls-edge.conf.template'), 'utf8')),
    ];
    expect(tlsOverlay.NGINX_ENVSUBST_STREAM_TEMPLATE_DIR).toBe('/etc/nginx/stream-templates-tls');
    expect(dockerfile).toContain('COPY tls/stream/gateway-tls-edge.conf.template /etc/nginx/stream-templates-tls/');
    // conf.d is included in name order: the HTTPS server's file comes after the plain server's,
    // which defines the log format and zones both use.
    expect(dockerfile).toContain('COPY templates/gateway.conf.template /etc/nginx/templates-tls/\n');
    expect(dockerfile).toContain('COPY tls/gateway-tls.conf.template /etc/nginx/templates-tls/https.conf.template');
    for (const variable of plain) {
      expect(variable in gatewayEnv || dockerfile.includes(`${variable}=`), variable).toBe(true);
      expect(filter.test(variable), `envsubst filter lets ${variable} through`).toBe(true);
    }
    for (const variable of tls) {
      expect(variable in tlsOverlay || variable in gatewayEnv, variable).toBe(true);
      expect(filter.test(variable), `envsubst filter lets ${variable} through`).toBe(true);
    }
    // By default; GATEWAY_<NAME> replaces the block for an nginx without `resolve` (the offline set).
    for (const upstream of ['AUTH_SERVERS', 'ROOMS_SERVERS', 'SIGNALING_SERVERS', 'WEB_SERVERS']) {
      expect(gatewayEnv[upstream], upstream).toMatch(new RegExp(`^\\$\\{GATEWAY_${upstream}:-resolver 127\\.0\\.0\\.11 [^;]*; server [a-z]+:\\d+ resolve;\\}$`));
    }
  });

  it('commits no secret: .env.example leaves every secret empty and names every variable compose reads', () => {
    const example = readFileSync(join(repoRoot, '.env.example'), 'utf8');
    const assignments = new Map(
      example
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
    );
    for (const secret of ['TURN_SECRET', 'AUTH_SIGNING_KEY', 'ROOMS_SIGNING_KEY', 'AUTH_PREVIOUS_PUBLIC_KEY']) expect(assignments.get(secret), secret).toBe('');
    const composeText = ['docker-compose.yml', 'infra/docker-compose.tls.yml', 'infra/docker-compose.turn-pair.yml'].map((file) => readFileSync(join(repoRoot, file), 'utf8')).join('\n');
    const read = new Set([...composeText.matchAll(/\$\{([A-Z_]+)[:}?-]/g)].map((match) => match[1] as string));
    for (const variable of read) expect(assignments.has(variable), `.env.example documents ${variable}`).toBe(true);
    expect(readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n')).toEqual(expect.arrayContaining(['.env', '**/node_modules']));
  });
});

describe('infra/docker-compose.redis-cluster.yml: a Redis Cluster in place of the one Redis', () => {
  const overlay = readCompose('infra/docker-compose.redis-cluster.yml');
  const nodes = ['redis', 'redis-2', 'redis-3', 'redis-4', 'redis-5', 'redis-6'];

  it('runs six cluster nodes, each announcing its service name, and forms the cluster once they are healthy', () => {
    for (const node of nodes) {
      const command = String(overlay.services[node]?.command ?? '');
      expect(command, node).toContain('--cluster-enabled yes');
      expect(command, node).toContain(`--cluster-announce-hostname ${node} `);
    }
    const init = overlay.services['redis-cluster-init'];
    expect(Object.keys(init?.depends_on ?? {}).sort()).toEqual([...nodes].sort());
    expect(init?.entrypoint?.join(' ')).toContain('--cluster-replicas 1');
  });

  it('points every service at the cluster instead of REDIS_URL, and starts it only once the cluster is formed', () => {
    for (const name of ['auth', 'rooms', 'signaling']) {
      const definition = overlay.services[name];
      expect(definition?.environment, name).toEqual({ REDIS_URL: '', REDIS_CLUSTER_NODES: 'redis:6379,redis-2:6379,redis-3:6379' });
      expect(definition?.depends_on?.['redis-cluster-init']?.condition, name).toBe('service_completed_successfully');
    }
  });
});

describe('infra/docker-compose.turn-pair.yml: a second coturn', () => {
  const pair = readCompose('infra/docker-compose.turn-pair.yml');
  const overlay = (name: string): ComposeService => {
    const found = pair.services[name];
    if (!found) throw new Error(`the overlay has no service ${name}`);
    return found;
  };
  const env = (name: string) => overlay(name).environment ?? {};

  it('runs the same coturn image with the same secret on its own ports and relay range', () => {
    expect(overlay('coturn-2').image).toBe(service('coturn').image);
    expect(overlay('coturn-2').build).toEqual(service('coturn').build);
    expect(env('coturn-2').TURN_SECRET).toBe(service('coturn').environment?.TURN_SECRET);
    expect(env('coturn-2')).toMatchObject({ TURN_MIN_PORT: '${TURN_2_MIN_PORT:-49408}', TURN_MAX_PORT: '${TURN_2_MAX_PORT:-49663}' });
    // Both publish on one host: the defaults must not collide with the first coturn's.
    const published = overlay('coturn-2').ports ?? [];
    expect(published).toContain('${TURN_BIND:-0.0.0.0}:${TURN_2_MIN_PORT:-49408}-${TURN_2_MAX_PORT:-49663}:${TURN_2_MIN_PORT:-49408}-${TURN_2_MAX_PORT:-49663}/udp');
    expect(published).toEqual(expect.arrayContaining(['${TURN_BIND:-0.0.0.0}:${TURN_2_PORT:-3479}:3478/udp', '${TURN_BIND:-0.0.0.0}:${TURN_2_TLS_PORT:-5350}:5349/tcp']));
  });

  it('hands rooms both, each probed by its service name, over an internal network of the coturns and rooms alone', () => {
    expect(env('rooms').TURN_HEALTH_CHECK).toBe('true');
    expect(env('rooms').TURN_SERVERS).toBe(
      '${TURN_HOST:-127.0.0.1}:${TURN_PORT:-3478}/${TURN_TLS_PORT:-5349}@coturn:3478,${TURN_HOST:-127.0.0.1}:${TURN_2_PORT:-3479}/${TURN_2_TLS_PORT:-5350}@coturn-2:3478',
    );
    expect(pair.networks?.['turn-probe']?.internal).toBe(true);
    expect(overlay('rooms').networks).toEqual(['backend', 'turn-probe']);
    expect(overlay('coturn').networks).toEqual(['turn', 'turn-probe']);
    expect(overlay('coturn-2').networks).toEqual(['turn', 'turn-probe']);
    const onProbeNetwork = Object.entries(pair.services).filter(([, definition]) => definition.networks?.includes('turn-probe'));
    expect(onProbeNetwork.map(([name]) => name).sort()).toEqual(['coturn', 'coturn-2', 'rooms']);
  });

  it('leaves the default compose with one coturn and rooms not probing what it cannot reach', () => {
    expect(Object.keys(services)).not.toContain('coturn-2');
    expect(service('rooms').environment).toMatchObject({ TURN_SERVERS: '${TURN_SERVERS:-}', TURN_HEALTH_CHECK: '${TURN_HEALTH_CHECK:-false}' });
  });
});

describe('Dockerfiles', () => {
  const dockerfiles: Record<string, string> = {
    auth: 'services/Dockerfile',
    rooms: 'services/Dockerfile',
    signaling: 'services/Dockerfile',
    web: 'web/Dockerfile',
    gateway: 'infra/nginx/gateway.Dockerfile',
    coturn: 'infra/coturn/Dockerfile',
  };

  /** The instructions of the last stage: what the running container is. */
  function finalStage(text: string): string[] {
    const lines = text.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
    const lastFrom = lines.map((line) => line.startsWith('FROM ')).lastIndexOf(true);
    return lines.slice(lastFrom);
  }

  it.each(Object.entries(dockerfiles))('%s runs as a non-root user from an overridable base image', (_name, path) => {
    const text = readFileSync(join(repoRoot, path), 'utf8');
    for (const from of text.split('\n').filter((line) => line.startsWith('FROM '))) expect(from).toMatch(/^FROM \$\{[A-Z_]+_IMAGE\}/);
    const users = finalStage(text).filter((line) => line.startsWith('USER '));
    const lastUser = users[users.length - 1];
    expect(lastUser, `${path} ends with a USER`).toBeDefined();
    expect(lastUser).not.toMatch(/^USER (root|0)(:|$)/);
  });

  it('names each build a compose service uses', () => {
    for (const [name, path] of Object.entries(dockerfiles)) {
      const build = service(name).build;
      expect(join(build?.context ?? '', build?.dockerfile ?? 'Dockerfile'), name).toBe(path);
    }
  });

  it.each(['auth', 'rooms', 'signaling'])('%s builds from the one service Dockerfile with its own SERVICE', (name) => {
    expect(service(name).build?.args?.SERVICE).toBe(name);
  });

  it.each(['auth', 'rooms', 'signaling'] as const)('%s image starts Node with the flags the launcher gives it', (name) => {
    expect(service(name).build?.args?.NODE_FLAGS ?? '').toBe(SERVICE_NODE_FLAGS[name].join(' '));
    const runtime = finalStage(readFileSync(join(repoRoot, 'services', 'Dockerfile'), 'utf8'));
    expect(runtime).toContain('ARG NODE_FLAGS=""');
    expect(runtime.find((line) => line.startsWith('ENV '))).toContain('NODE_OPTIONS="${NODE_FLAGS}"');
  });

  it('builds a service multi-stage from the workspace root and runs its compiled server', () => {
    const text = readFileSync(join(repoRoot, 'services', 'Dockerfile'), 'utf8');
    expect(text.split('\n').filter((line) => line.startsWith('FROM ')).length).toBeGreaterThanOrEqual(2);
    expect(text).toContain('COPY package.json package-lock.json');
    expect(text).toContain('npm run build -w @meshcall/${SERVICE}');
    expect(text).toContain('npm ci --omit=dev --workspace=@meshcall/${SERVICE}');
    const runtime = finalStage(text);
    expect(runtime).toContain('WORKDIR /app/services/${SERVICE}');
    expect(runtime).toContain('COPY --from=build /app/services/${SERVICE}/dist services/${SERVICE}/dist');
    expect(runtime[runtime.length - 1]).toBe('CMD ["node", "dist/server.js"]');
  });
});
