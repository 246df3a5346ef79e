// The chart's sizes follow docs/capacity.md, whose inputs are the bench's committed figures: if
// the bench's memory per connection moves, or a value is edited, these say which size no longer fits.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findObject, onlyContainer, renderChart } from './render.js';
import { readToolPins, repositoryRoot } from './tools.js';
import { valuesCases } from './values-cases.js';

/** docs/capacity.md plans this many sockets a signaling pod. */
const SOCKETS_PER_SIGNALING_POD = 10_000;

interface IdleMemory {
  system: string;
  baseline: { rssBytes: number };
  marginal: { rssKiBPerConnection: number };
}

const bench = JSON.parse(readFileSync(`${repositoryRoot}bench/results/meshcall-bench.json`, 'utf8')) as { idle: IdleMemory[] };
const meshcall = bench.idle.find((system) => system.system === 'meshcall') as IdleMemory;

/**
 * The young generation a signaling replica grows to once sockets connect, from the Node flags its
 * image starts with (docker-compose.yml's NODE_FLAGS build argument, which the chart's image
 * carries): V8 sizes it at three semi-spaces. The bench's baseline is read before it grows, and
 * its marginal figure after, so the plan adds it once.
 */
function youngGenerationMiB(): number {
  const compose = parse(readFileSync(`${repositoryRoot}docker-compose.yml`, 'utf8'), { merge: true }) as { services: Record<string, { build?: { args?: Record<string, string> } }> };
  const flags = compose.services.signaling?.build?.args?.NODE_FLAGS ?? '';
  const semiSpace = /--max-semi-space-size=(\d+)/.exec(flags)?.[1];
  if (!semiSpace) throw new Error(`signaling's image caps no young generation (NODE_FLAGS "${flags}"): the plan below assumes it does`);
  return 3 * Number(semiSpace);
}

// The bench ran two replicas; its baseline is theirs together.
const plannedPodMiB = meshcall.baseline.rssBytes / 2 / 2 ** 20 + youngGenerationMiB() + (SOCKETS_PER_SIGNALING_POD * meshcall.marginal.rssKiBPerConnection) / 1024;

function mebibytes(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`unexpected memory quantity ${quantity}`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
}

describe.each(valuesCases.filter((c) => c.name !== 'minimal'))('$name values', (valuesCase) => {
  const rendering = renderChart(readToolPins(), valuesCase.args);
  const signaling = onlyContainer(findObject(rendering, 'Deployment', 'meshcall-signaling'));
  const hpa = findObject(rendering, 'HorizontalPodAutoscaler', 'meshcall-signaling');

  it(`a signaling pod's memory request holds the ${SOCKETS_PER_SIGNALING_POD} sockets it is planned for (bench: base + sockets x KiB each)`, () => {
    const resources = (signaling as unknown as { resources: { requests: { memory: string }; limits: { memory: string } } }).resources;
    expect(plannedPodMiB).toBeGreaterThan(300);
    expect(mebibytes(resources.requests.memory)).toBeGreaterThanOrEqual(plannedPodMiB);
    // The autoscaler adds a pod near the planned load, before the limit's OOM kill.
    const memoryTarget = hpa.spec.metrics.find((m: { resource: { name: string } }) => m.resource.name === 'memory').resource.target.averageUtilization as number;
    const scalesAtMiB = (mebibytes(resources.requests.memory) * memoryTarget) / 100;
    expect(scalesAtMiB).toBeGreaterThanOrEqual(plannedPodMiB);
    expect(scalesAtMiB).toBeLessThan(mebibytes(resources.limits.memory) * 0.6);
  });

  it('the gateway has connections for every socket the signaling autoscaler may admit (two each)', () => {
    const nginxConf = findObject(rendering, 'ConfigMap', 'meshcall-nginx').data?.['nginx.conf'] ?? '';
    const perPod = (Number(/worker_processes (\d+);/.exec(nginxConf)?.[1]) * Number(/worker_connections (\d+);/.exec(nginxConf)?.[1])) / 2;
    const gatewayPods = findObject(rendering, 'Deployment', 'meshcall-gateway').spec.replicas as number;
    expect(gatewayPods * perPod).toBeGreaterThanOrEqual(hpa.spec.maxReplicas * SOCKETS_PER_SIGNALING_POD);
  });
});
