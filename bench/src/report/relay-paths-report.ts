import { LOAD_GENERATOR, microsecondsByRole } from '../cpu-accounting.js';
import type { DeliveryPaths } from '../load/relay-target.js';
import { MACHINE_TOTAL } from '../process-memory.js';
import { acknowledgementCost, type RelayPathResult, type RelayPathsResult } from '../scenarios/relay-paths.js';
import { groupedBarChart } from './svg.js';

/**
 * The relay-gateway phase in summary.md and its charts: each system through its nginx and
 * direct, CPU per message of every process, and meshcall ÷ peer per path.
 */

const fmt = (value: number | undefined | null, digits = 2): string => {
  if (value === undefined || value === null || !Number.isFinite(value)) return 'n/a';
  return Number(value.toFixed(digits)).toLocaleString('en-US', { maximumFractionDigits: digits });
};
const times = (value: number): string => (Number.isFinite(value) ? `${fmt(value)}×` : 'n/a');

const SYSTEM_NAMES = { meshcall: 'meshcall', naive: 'naive relay', peerjs: 'PeerJS' } as const;
const PEER_NAMES = { naive: 'naive relay', peerjs: 'PeerJS server' } as const;

/** A label short enough for a chart's group axis. */
export function shortLabel(result: Pick<RelayPathResult, 'system' | 'path' | 'acknowledged'>): string {
  return `${SYSTEM_NAMES[result.system]}${result.acknowledged ? ' acked' : ''} ${result.path === 'gateway' ? 'via nginx' : 'direct'}`;
}

/** "signaling-1 31.2, signaling-2 30.8, redis 12.1, gateway 7.9 (load generator 40.3; machine 130)". */
function perProcessLine(perMessage: Record<string, number> | undefined): string {
  if (!perMessage) return 'n/a';
  const servers = Object.entries(perMessage).filter(([name]) => name !== LOAD_GENERATOR && name !== MACHINE_TOTAL);
  const extra = [LOAD_GENERATOR, MACHINE_TOTAL].filter((name) => perMessage[name] !== undefined).map((name) => `${name} ${fmt(perMessage[name], 1)}`);
  return `${servers.map(([name, us]) => `${name} ${fmt(us, 1)}`).join(', ')}${extra.length > 0 ? ` (${extra.join('; ')})` : ''}`;
}

export function relayPathsSection(relayPaths: RelayPathsResult | undefined): string[] {
  if (!relayPaths || relayPaths.results.length === 0) return [];
  const o = relayPaths.options;
  const lines = [
    '## Through the gateway and direct (issue 14)',
    '',
    `The path users take: meshcall's sockets connect to the launcher's nginx gateway (one worker), which places them on the replicas by the room each names in its handshake, as the web client does (a consistent hash, so both sockets of a pair share a replica); the naive relay and PeerJS each sit behind an nginx rendered by the launcher from the same gateway template (same snippets, same /socket.io/ location and WebSocket proxy settings, one worker). "direct": meshcall cross-replica (sockets on the replicas' own ports, each pair across both), the peers on their own ports. One plan for every target: ${o.pairs} pairs; ${fmt(o.latencyRate, 0)} msg/s for ${o.latencyDurationMs / 1000} s (after 1 s of warm-up); ${fmt(o.highRate, 0)} msg/s for ${o.highDurationMs / 1000} s (${fmt(o.highRate / o.pairs, 1)} msg/s per sender, under signaling's default per-socket ${o.perSocketLimit}/s); a closed-loop ceiling (${o.ceilingWindow} in flight per pair, ${o.ceilingDurationMs / 1000} s). CPU per message: each process's utime + stime from /proc over the load's window ÷ messages delivered in it (nginx: master and worker); "server" sums every process but the load generator.`,
    '',
    `| system | p50 / p99 ms at ${fmt(o.latencyRate, 0)}/s | at ${fmt(o.highRate, 0)}/s: delivered/s | p50 / p99 ms | verdict | ceiling msg/s | server CPU µs/msg at ${fmt(o.latencyRate, 0)}/s | at ${fmt(o.highRate, 0)}/s | at the ceiling |`,
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of relayPaths.results) {
    const h = r.highStep;
    lines.push(
      `| ${r.label} | ${fmt(r.atLatencyRate.latency.p50Ms, 3)} / ${fmt(r.atLatencyRate.latency.p99Ms, 3)} | ${fmt(h?.deliveredPerS, 0)} | ${h ? `${fmt(h.latency.p50Ms, 3)} / ${fmt(h.latency.p99Ms, 3)}` : 'n/a'} | ${h?.verdict ?? 'not run'} | ${fmt(r.ceiling?.deliveredPerS, 0)} | ${fmt(r.atLatencyRate.cpu.serverMicrosecondsPerMessage, 1)} | ${fmt(h?.cpu.serverMicrosecondsPerMessage, 1)} | ${fmt(r.ceiling?.cpu.serverMicrosecondsPerMessage, 1)} |`,
    );
  }
  const placed = relayPaths.results.filter((r) => r.deliveryPaths);
  if (placed.length > 0) {
    lines.push('', "Where meshcall's signals were delivered over the whole run (the replicas' `signaling_relay_latency_seconds_count` by path):", '', '| system | by the relaying replica (in process) | by another replica (Redis pub/sub) |', '|---|---|---|');
    for (const r of placed) {
      const { sameReplica, crossReplica } = r.deliveryPaths as DeliveryPaths;
      const share = (n: number) => `${fmt(n, 0)} (${fmt((100 * n) / Math.max(1, sameReplica + crossReplica), 1)} %)`;
      lines.push(`| ${r.label} | ${share(sameReplica)} | ${share(crossReplica)} |`);
    }
  }
  lines.push('', 'CPU µs per relayed message, each process:', '', `| system | at ${fmt(o.highRate, 0)}/s | at the ceiling |`, '|---|---|---|');
  for (const r of relayPaths.results) lines.push(`| ${r.label} | ${perProcessLine(r.highStep?.cpu.microsecondsPerMessage)} | ${perProcessLine(r.ceiling?.cpu.microsecondsPerMessage)} |`);
  if (relayPaths.ratios.length > 0) {
    lines.push(
      '',
      'meshcall ÷ peer, same path, same run (latency and CPU: below 1 is better than the peer; rates: above 1 is better):',
      '',
      `| path | ÷ | p50 at ${fmt(o.latencyRate, 0)}/s | p99 at ${fmt(o.latencyRate, 0)}/s | delivered at ${fmt(o.highRate, 0)}/s | p99 at ${fmt(o.highRate, 0)}/s | ceiling | server CPU µs/msg at the ceiling |`,
      '|---|---|---|---|---|---|---|---|',
    );
    for (const { path, peer, ratios } of relayPaths.ratios) {
      lines.push(
        `| ${path === 'gateway' ? 'through nginx' : 'direct'} | ${PEER_NAMES[peer as keyof typeof PEER_NAMES] ?? peer} | ${times(ratios.p50Ms)} | ${times(ratios.p99Ms)} | ${times(ratios.highStepDeliveredPerS)} | ${times(ratios.highStepP99Ms)} | ${times(ratios.ceilingPerS)} | ${times(ratios.serverMicrosecondsPerMessage)} |`,
      );
    }
  }
  const ackCost = acknowledgementCost(relayPaths.results);
  if (ackCost) {
    const r = ackCost.ratios;
    lines.push(
      '',
      `What an acknowledgement of every signal costs meshcall ${ackCost.path === 'gateway' ? 'through nginx' : 'direct'} (the SDK's \`signal()\` asks for one; the web app sends its descriptions and candidates fire and forget, and the ratios above compare that): acknowledged ÷ fire and forget, p50 ${times(r.p50Ms)}, p99 ${times(r.p99Ms)} at ${fmt(o.latencyRate, 0)}/s; delivered ${times(r.highStepDeliveredPerS)} and p99 ${times(r.highStepP99Ms)} at ${fmt(o.highRate, 0)}/s; ceiling ${times(r.ceilingPerS)}; server CPU per signal at the ceiling ${times(r.serverMicrosecondsPerMessage)}.`,
    );
  }
  lines.push('', 'CPU in cores (1 = one core busy) at the ceiling, and the whole machine (other work on the box shows here):', '', '| system | cores |', '|---|---|');
  for (const r of relayPaths.results) {
    lines.push(`| ${r.label} | ${Object.entries(r.ceiling?.cpuCores ?? {}).map(([name, cores]) => `${name} ${fmt(cores)}`).join(', ') || 'n/a'} |`);
  }
  lines.push('', '![CPU per message by process role](relay-paths-cpu.svg)', '', '![latency at 1k msg/s](relay-paths-latency.svg)', '', '![delivered at the high step and ceiling](relay-paths-throughput.svg)', '');
  return lines;
}

export function relayPathsCharts(relayPaths: RelayPathsResult | undefined, machine: string): Array<[string, string]> {
  if (!relayPaths || relayPaths.results.length === 0) return [];
  const o = relayPaths.options;
  const groups = (values: (r: RelayPathResult) => number[]) => relayPaths.results.map((r) => ({ label: shortLabel(r), values: values(r) }));
  return [
    [
      'relay-paths-cpu.svg',
      groupedBarChart({
        title: 'CPU per relayed message at the closed-loop ceiling, by process',
        subtitle: `${machine}; relay = the relay process(es), both meshcall replicas together; nginx = meshcall's gateway or the peer's own nginx`,
        yLabel: 'CPU µs per message',
        series: ['relay process(es)', 'Redis', 'nginx'],
        groups: groups((r) => {
          const byRole = microsecondsByRole(r.ceiling?.cpu.microsecondsPerMessage ?? {});
          return r.ceiling ? [byRole.relay, byRole.redis, byRole.nginx] : [Number.NaN, Number.NaN, Number.NaN];
        }),
        targets: [{ value: 30, label: 'issue 14 target: meshcall ≤ 30 µs in all' }],
      }),
    ],
    [
      'relay-paths-latency.svg',
      groupedBarChart({
        title: `Relay latency at ${fmt(o.latencyRate, 0)} msg/s over ${o.pairs} pairs, through nginx and direct`,
        subtitle: machine,
        yLabel: 'milliseconds',
        series: ['p50', 'p99'],
        groups: groups((r) => [r.atLatencyRate.latency.p50Ms, r.atLatencyRate.latency.p99Ms]),
      }),
    ],
    [
      'relay-paths-throughput.svg',
      groupedBarChart({
        title: `Delivered at ${fmt(o.highRate, 0)} msg/s offered over ${o.pairs} pairs, and the closed-loop ceiling`,
        subtitle: machine,
        yLabel: 'messages per second',
        series: [`delivered at ${fmt(o.highRate, 0)}/s offered`, 'closed-loop ceiling'],
        groups: groups((r) => [r.highStep?.deliveredPerS ?? Number.NaN, r.ceiling?.deliveredPerS ?? Number.NaN]),
        targets: [{ value: o.highRate, label: `${fmt(o.highRate, 0)} msg/s offered` }],
      }),
    ],
  ];
}
