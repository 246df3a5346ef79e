// What an operator relies on once the chart is installed, read from the rendered objects.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envOf, findObject, onlyContainer, probePort, renderChart, workloads, type KubeObject, type Rendering } from './render.js';
import { readToolPins, repositoryRoot } from './tools.js';
import { signingKeys, valuesCases } from './values-cases.js';

const pins = readToolPins();
const renderings = new Map(valuesCases.map((c) => [c.name, renderChart(pins, c.args)]));
const rendering = (name: 'default' | 'cluster' | 'minimal') => renderings.get(name) as Rendering;
const services = ['auth', 'rooms', 'signaling'] as const;
const source = (path: string) => readFileSync(`${repositoryRoot}${path}`, 'utf8');

describe.each(valuesCases)('$name values: probes reach what the processes serve', ({ name }) => {
  it.each(services)('%s: liveness on /healthz and readiness on /readyz, at the port its PORT sets', (service) => {
    const container = onlyContainer(findObject(rendering(name), 'Deployment', `meshcall-${service}`));
    const port = Number(envOf(container, 'PORT')?.value);
    expect(port).toBe(3000);
    expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
    for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
      expect(probePort(container, probe ?? {})).toBe(port);
    }
    // The services listen on every interface of the pod, or the kubelet's probes never connect.
    expect(envOf(container, 'HOST')?.value).toBe('0.0.0.0');
  });

  it('every service registers the two paths the probes ask for (server-kit health routes)', () => {
    const health = source('packages/server-kit/src/health.ts');
    expect(health).toMatch(/app\.get\('\/healthz'/);
    expect(health).toMatch(/app\.get\('\/readyz'/);
    for (const service of services) expect(source(`services/${service}/src/app.ts`)).toMatch(/registerHealthRoutes\(/);
  });

  it('web and gateway are probed on /healthz at the port their nginx listens on', () => {
    const gateway = onlyContainer(findObject(rendering(name), 'Deployment', 'meshcall-gateway'));
    const web = onlyContainer(findObject(rendering(name), 'Deployment', 'meshcall-web'));
    expect(source('infra/nginx/snippets/gateway-routes.conf')).toMatch(/location = \/healthz \{/);
    expect(source('infra/nginx/templates/web.conf.template')).toMatch(/location = \/healthz \{/);
    expect(probePort(gateway, gateway.readinessProbe ?? {})).toBe(Number(envOf(gateway, 'GATEWAY_PORT')?.value));
    expect(probePort(web, web.readinessProbe ?? {})).toBe(Number(envOf(web, 'WEB_PORT')?.value));
    expect([gateway.readinessProbe?.httpGet?.path, web.readinessProbe?.httpGet?.path]).toEqual(['/healthz', '/healthz']);
  });
});

describe('secrets are never inlined', () => {
  it.each(valuesCases)('$name values: no workload carries a secret variable as a plain value', ({ name }) => {
    const secretNames = ['AUTH_SIGNING_KEY', 'ROOMS_SIGNING_KEY', 'AUTH_PREVIOUS_PUBLIC_KEY', 'TURN_SECRET', 'MONGO_URL', 'REDIS_URL'];
    for (const workload of workloads(rendering(name))) {
      for (const variable of onlyContainer(workload).env ?? []) {
        if (secretNames.includes(variable.name)) {
          expect(variable.value, `${workload.metadata.name} ${variable.name}`).toBeUndefined();
          expect(variable.valueFrom?.secretKeyRef?.key).toBe(variable.name);
        }
      }
    }
  });

  it('the chart-made Secret holds the keys given; nothing else in the manifest contains them', () => {
    const minimal = rendering('minimal');
    const secret = findObject(minimal, 'Secret', 'meshcall');
    expect(secret.stringData?.AUTH_SIGNING_KEY).toBe(signingKeys.authKey);
    expect(secret.stringData?.ROOMS_SIGNING_KEY).toBe(signingKeys.roomsKey);
    // Generated when not given: long and random enough for HMAC-SHA1 credentials.
    expect(secret.stringData?.TURN_SECRET).toMatch(/^[A-Za-z0-9]{48}$/);
    const others = minimal.objects.filter((o) => o.kind !== 'Secret').map((o) => JSON.stringify(o));
    const keyBody = (pem: string) => pem.split('\n')[1] as string;
    for (const text of others) {
      expect(text).not.toContain(keyBody(signingKeys.authKey));
      expect(text).not.toContain(keyBody(signingKeys.roomsKey));
      expect(text).not.toContain(secret.stringData?.TURN_SECRET);
      expect(text).not.toContain('mongodb://');
    }
    // An upgrade must not rotate keys by surprise, and a delete must not lose them.
    expect(secret.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
  });

  it('with an existing Secret the chart makes none, and every reference names that Secret', () => {
    const cluster = rendering('cluster');
    expect(cluster.objects.filter((o) => o.kind === 'Secret')).toHaveLength(0);
    const references = workloads(cluster).flatMap((w) => (onlyContainer(w).env ?? []).flatMap((v) => (v.valueFrom?.secretKeyRef ? [v.valueFrom.secretKeyRef.name] : [])));
    expect(new Set(references)).toEqual(new Set(['meshcall-production']));
  });

  it('each secret reaches only the processes that use it', () => {
    const holders = (key: string) =>
      workloads(rendering('default'))
        .filter((w) => envOf(onlyContainer(w), key))
        .map((w) => w.metadata.name)
        .sort();
    expect(holders('TURN_SECRET')).toEqual(['meshcall-coturn', 'meshcall-rooms']);
    expect(holders('AUTH_SIGNING_KEY')).toEqual(['meshcall-auth']);
    expect(holders('ROOMS_SIGNING_KEY')).toEqual(['meshcall-rooms']);
    expect(holders('MONGO_URL')).toEqual(['meshcall-auth', 'meshcall-rooms']);
  });
});

describe('signaling drains onto the other pods', () => {
  const signaling = findObject(rendering('default'), 'Deployment', 'meshcall-signaling');
  const container = onlyContainer(signaling);

  it('waits in preStop while the gateway stops sending it sockets, and gets the time its own shutdown needs', () => {
    const preStop = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
    expect(preStop).toBeGreaterThanOrEqual(10);
    // server-kit's serve(): SIGTERM -> 503 while draining -> app.close() drops the sockets (their
    // seats wait for a resume) -> exit, or exit 1 at its own deadline (graceMs).
    const graceMs = Number(/graceMs \?\? ([\d_]+)/.exec(source('packages/server-kit/src/lifecycle.ts'))?.[1]?.replace(/_/g, ''));
    expect(graceMs).toBeGreaterThan(0);
    expect(signaling.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(preStop + graceMs / 1000);
    expect(source('services/signaling/src/server.ts')).toMatch(/serve\(app,/);
  });

  it('its sockets resume elsewhere: the seat grace outlasts a reconnect', () => {
    const resumeGraceMs = Number(envOf(container, 'RESUME_GRACE_MS')?.value);
    expect(resumeGraceMs).toBeGreaterThanOrEqual(10_000);
    expect(source('services/signaling/src/app.ts')).toMatch(/disconnectSockets\(true\)/);
  });

  it('each pod has its own replica id (its delivery channel in Redis)', () => {
    expect(envOf(container, 'REPLICA_ID')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
  });

  it('the autoscaler and the disruption budget govern exactly the signaling pods', () => {
    const hpa = findObject(rendering('default'), 'HorizontalPodAutoscaler', 'meshcall-signaling');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'meshcall-signaling' });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    // The autoscaler owns the replica count: a fixed one would fight it on every upgrade.
    expect(signaling.spec.replicas).toBeUndefined();
    const pdb = findObject(rendering('default'), 'PodDisruptionBudget', 'meshcall-signaling');
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(signaling.spec.selector.matchLabels);
    expect(signaling.spec.template.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
    expect(signaling.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
  });

  it('without the autoscaler the replica count is the value given', () => {
    const minimal = findObject(rendering('minimal'), 'Deployment', 'meshcall-signaling');
    expect(minimal.spec.replicas).toBe(1);
    expect(rendering('minimal').objects.some((o) => o.kind === 'HorizontalPodAutoscaler')).toBe(false);
  });
});

describe('the gateway uses the same nginx config as compose and the launcher', () => {
  const objects = rendering('default');
  const nginx = findObject(objects, 'ConfigMap', 'meshcall-nginx');
  const gateway = onlyContainer(findObject(objects, 'Deployment', 'meshcall-gateway'));

  it('the rendered templates and snippets are byte for byte infra/nginx', () => {
    expect(nginx.data?.['gateway.conf.template']).toBe(source('infra/nginx/templates/gateway.conf.template'));
    expect(nginx.data?.['web.conf.template']).toBe(source('infra/nginx/templates/web.conf.template'));
    expect(nginx.data?.['gateway-routes.conf']).toBe(source('infra/nginx/snippets/gateway-routes.conf'));
  });

  it('rooms are hashed onto signaling pods by ?room=, across the pods themselves', () => {
    expect(nginx.data?.['gateway.conf.template']).toMatch(/upstream signaling_by_room \{[^}]*hash \$arg_room consistent;/);
    const servers = envOf(gateway, 'SIGNALING_SERVERS')?.value ?? '';
    const host = /server ([^\s:]+):(\d+) resolve;/.exec(servers);
    expect(host?.[1]).toBe('meshcall-signaling-pods.calls.svc.cluster.local');
    expect(Number(host?.[2])).toBe(3000);
    // A ClusterIP would hide the pods behind one address and kube-proxy would spread a room's sockets.
    const headless = findObject(objects, 'Service', 'meshcall-signaling-pods');
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.publishNotReadyAddresses).toBe(false);
    expect(servers).toMatch(/^resolver \S+ valid=5s/);
  });

  it('every variable the template uses is set and passes the entrypoint\'s envsubst filter', () => {
    const template = nginx.data?.['gateway.conf.template'] ?? '';
    const used = new Set([...template.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1] as string));
    expect(used.size).toBeGreaterThanOrEqual(5);
    const filter = new RegExp(envOf(gateway, 'NGINX_ENVSUBST_FILTER')?.value ?? '$^');
    for (const variable of used) {
      expect(envOf(gateway, variable)?.value, variable).toBeTruthy();
      expect(filter.test(variable), variable).toBe(true);
    }
  });

  it('every snippet the config includes is mounted where nginx looks for it', () => {
    const deployment = findObject(objects, 'Deployment', 'meshcall-gateway');
    const text = Object.values(nginx.data ?? {}).join('\n');
    const included = new Set([...text.matchAll(/include meshcall\/([\w.-]+);/g)].map((m) => m[1] as string));
    const snippetsVolume = deployment.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'nginx-snippets');
    const mounted = new Set((snippetsVolume.configMap.items as Array<{ path: string }>).map((item) => item.path));
    expect(included.size).toBeGreaterThan(0);
    for (const name of included) expect(mounted.has(name), name).toBe(true);
    expect(gateway.volumeMounts?.find((m) => m.name === 'nginx-snippets')?.mountPath).toBe('/etc/nginx/meshcall');
  });

  it('nginx has room for the sockets a gateway pod carries (two connections each)', () => {
    const conf = nginx.data?.['nginx.conf'] ?? '';
    expect(Number(/worker_connections (\d+);/.exec(conf)?.[1])).toBeGreaterThanOrEqual(16_384);
    expect(gateway.volumeMounts?.find((m) => m.mountPath === '/etc/nginx/nginx.conf')?.subPath).toBe('nginx.conf');
  });
});

describe('coturn runs on the TURN nodes\' own network', () => {
  const coturn = findObject(rendering('default'), 'DaemonSet', 'meshcall-coturn');
  const container = onlyContainer(coturn);

  it('on hostNetwork, on the labelled nodes, with its relay range and a probe on the TURN port', () => {
    expect(coturn.spec.template.spec.hostNetwork).toBe(true);
    expect(coturn.spec.template.spec.dnsPolicy).toBe('ClusterFirstWithHostNet');
    expect(coturn.spec.template.spec.nodeSelector).toEqual({ 'meshcall.io/turn': 'true' });
    expect(Number(envOf(container, 'TURN_MIN_PORT')?.value)).toBe(49152);
    expect(Number(envOf(container, 'TURN_MAX_PORT')?.value)).toBe(65535);
    expect(container.ports?.map((p) => `${p.containerPort}/${p.protocol}`)).toEqual(['3478/UDP', '3478/TCP', '5349/TCP']);
    expect(probePort(container, container.readinessProbe ?? {})).toBe(3478);
    // The entrypoint reads these names (infra/coturn/entrypoint.sh).
    const entrypoint = source('infra/coturn/entrypoint.sh');
    for (const variable of container.env ?? []) expect(entrypoint, variable.name).toContain(`\${${variable.name}`);
  });

  it('turns: certificates from a TLS Secret land where turnserver.conf reads them', () => {
    const cluster = onlyContainer(findObject(rendering('cluster'), 'DaemonSet', 'meshcall-coturn'));
    expect(cluster.volumeMounts?.find((m) => m.name === 'tls')?.mountPath).toBe('/etc/coturn/certs');
    const conf = source('infra/coturn/turnserver.conf');
    expect(conf).toContain('cert=/etc/coturn/certs/fullchain.pem');
    expect(conf).toContain('pkey=/etc/coturn/certs/privkey.pem');
  });
});

describe('NetworkPolicies let traffic in only along the architecture\'s paths', () => {
  const objects = rendering('default');
  const podLabels = (name: string) => findObject(objects, 'Deployment', `meshcall-${name}`).spec.template.metadata.labels as Record<string, string>;
  const policyFor = (name: string): KubeObject => findObject(objects, 'NetworkPolicy', `meshcall-${name}`);
  const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
  const allowedFrom = (name: string) =>
    (policyFor(name).spec.ingress as Array<{ from?: Array<{ podSelector?: { matchLabels: Record<string, string> } }> }>)
      .flatMap((rule) => rule.from ?? [])
      .map((peer) => ['gateway', 'web', 'auth', 'rooms', 'signaling'].find((other) => peer.podSelector && selects(peer.podSelector.matchLabels, podLabels(other))))
      .sort();

  it('each component\'s policy selects its pods', () => {
    for (const name of ['gateway', 'web', 'auth', 'rooms', 'signaling']) {
      expect(selects(policyFor(name).spec.podSelector.matchLabels, podLabels(name)), name).toBe(true);
    }
  });

  it('signaling and web only from the gateway; auth also from rooms and signaling (JWKS); rooms also from signaling', () => {
    expect(allowedFrom('signaling')).toEqual(['gateway']);
    expect(allowedFrom('web')).toEqual(['gateway']);
    expect(allowedFrom('auth')).toEqual(['gateway', 'rooms', 'signaling']);
    expect(allowedFrom('rooms')).toEqual(['gateway', 'signaling']);
  });
});

it('the minimal values pass the services\' own config validation (the services would boot with this env)', async () => {
  const minimal = rendering('minimal');
  const secret = findObject(minimal, 'Secret', 'meshcall').stringData ?? {};
  const envFor = (service: string) => {
    const env: Record<string, string> = {};
    for (const variable of onlyContainer(findObject(minimal, 'Deployment', `meshcall-${service}`)).env ?? []) {
      const fromSecret = variable.valueFrom?.secretKeyRef;
      if (variable.value !== undefined) env[variable.name] = variable.value;
      else if (fromSecret && secret[fromSecret.key] !== undefined) env[variable.name] = secret[fromSecret.key] as string;
      else if (variable.valueFrom?.fieldRef) env[variable.name] = 'meshcall-signaling-7d9f8-abcde';
    }
    return env;
  };
  const { loadAuthConfig } = await import('@meshcall/auth/dist/config.js');
  const { loadRoomsConfig } = await import('@meshcall/rooms/dist/config.js');
  const { loadSignalingConfig } = await import('@meshcall/signaling/dist/config.js');
  expect(loadAuthConfig(envFor('auth')).NODE_ENV).toBe('production');
  const rooms = loadRoomsConfig(envFor('rooms'));
  expect([rooms.TURN_HOST, rooms.TURN_PORT, rooms.TURN_TLS_PORT]).toEqual(['turn.internal.example', 3478, 5349]);
  expect(loadSignalingConfig(envFor('signaling')).REPLICA_ID).toBe('meshcall-signaling-7d9f8-abcde');
});

describe('the env the chart sets is the env the services read', () => {
  const schemas = async (): Promise<Record<string, Set<string>>> => ({
    auth: new Set(Object.keys((await import('@meshcall/auth/dist/config.js')).authConfigSchema.shape)),
    rooms: new Set(Object.keys((await import('@meshcall/rooms/dist/config.js')).roomsConfigSchema.shape)),
    signaling: new Set(Object.keys((await import('@meshcall/signaling/dist/config.js')).configSchema.shape)),
  });

  it.each(valuesCases.map((c) => c.name))('%s values: no service gets a variable it does not know', async (name) => {
    const known = await schemas();
    for (const service of services) {
      expect(known[service]?.size, service).toBeGreaterThan(8);
      for (const variable of onlyContainer(findObject(rendering(name), 'Deployment', `meshcall-${service}`)).env ?? []) {
        expect(known[service]?.has(variable.name), `${service} ${variable.name}`).toBe(true);
      }
    }
  });

  it('Redis Cluster nodes and several TURN servers are passed on in the forms the services parse', async () => {
    const cluster = rendering('cluster');
    const rooms = onlyContainer(findObject(cluster, 'Deployment', 'meshcall-rooms'));
    expect(envOf(rooms, 'TURN_SERVERS')?.value).toBe('turn-a.call.example.org:3478/5349,turn-b.call.example.org:3478/5349');
    expect(envOf(rooms, 'TURN_HOST')?.value).toBe('turn-a.call.example.org');
    const { parseTurnServers } = await import('@meshcall/rooms/dist/turn/turn-server-list.js');
    expect(parseTurnServers(envOf(rooms, 'TURN_SERVERS')?.value ?? '').map((server) => [server.host, server.port, server.tlsPort])).toEqual([
      ['turn-a.call.example.org', 3478, 5349],
      ['turn-b.call.example.org', 3478, 5349],
    ]);
    const { redisClusterNodes } = await import('@meshcall/shared');
    for (const service of services) {
      const container = onlyContainer(findObject(cluster, 'Deployment', `meshcall-${service}`));
      expect(redisClusterNodes().parse(envOf(container, 'REDIS_CLUSTER_NODES')?.value)).toHaveLength(6);
      expect(envOf(container, 'REDIS_URL')).toBeUndefined();
    }
  });
});
