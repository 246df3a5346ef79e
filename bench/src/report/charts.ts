import type { BenchReport } from './write-report.js';
import { TARGETS } from '../config.js';
import { relayPathsCharts } from './relay-paths-report.js';
import { groupedBarChart, lineChart } from './svg.js';

/** One point per offered rate: the lower p99 of its tries (a retried step has two). */
function bestPerRate(steps: Array<{ offeredPerS: number; latency: { p99Ms: number } }>): Array<[number, number]> {
  const best = new Map<number, number>();
  for (const step of steps) best.set(step.offeredPerS, Math.min(best.get(step.offeredPerS) ?? Number.POSITIVE_INFINITY, step.latency.p99Ms));
  return [...best.entries()].sort((a, b) => a[0] - b[0]);
}

const at = <T>(items: readonly T[] | undefined, predicate: (item: T) => boolean): T | undefined => items?.find(predicate);

/** The SVG files of a report, as [file name, content]. */
export function renderCharts(report: BenchReport): Array<[string, string]> {
  const charts: Array<[string, string]> = [];
  const machine = `${report.machine.cores} cores, ${report.machine.cpuModel}, ${report.date.slice(0, 10)}`;

  if (report.relay.length > 0) {
    charts.push([
      'relay-latency.svg',
      groupedBarChart({
        title: `Signal relay latency at ${report.relay[0]?.atLatencyRate.offeredPerS ?? 1000} msg/s (send → receive)`,
        subtitle: machine,
        yLabel: 'milliseconds',
        series: ['p50', 'p99'],
        groups: report.relay.map((r) => ({ label: r.label, values: [r.atLatencyRate.latency.p50Ms, r.atLatencyRate.latency.p99Ms] })),
        targets: [{ value: TARGETS.crossReplicaP99Ms, label: `target: cross-replica p99 ≤ ${TARGETS.crossReplicaP99Ms} ms` }],
      }),
    ]);
    charts.push([
      'relay-throughput.svg',
      groupedBarChart({
        title: 'Relay throughput: highest sustained rate and closed-loop ceiling',
        subtitle: `${machine}; sustained = all delivered, none refused, p99 ≤ 50 ms`,
        yLabel: 'messages per second',
        series: ['highest sustained step', 'closed-loop ceiling'],
        groups: report.relay.map((r) => ({ label: r.label, values: [r.highestSustainable?.deliveredPerS ?? 0, r.ceiling?.deliveredPerS ?? Number.NaN] })),
        targets: [{ value: TARGETS.throughputPerS, label: `target: ≥ ${TARGETS.throughputPerS} msg/s across two replicas` }],
      }),
    ]);
    charts.push([
      'relay-latency-vs-rate.svg',
      lineChart({
        title: 'Relay p99 latency as the offered rate rises',
        subtitle: `${machine}; 3 s steps, the better of two tries per rate; axis clipped at 250 ms`,
        xLabel: 'offered messages per second',
        yLabel: 'p99 milliseconds',
        yCap: 250,
        lines: report.relay.map((r) => ({ name: r.label, points: bestPerRate(r.steps) })),
      }),
    ]);
  }

  charts.push(...relayPathsCharts(report.relayPaths, machine));

  if (report.idle.length > 0) {
    const levels = report.idle[0]?.points.map((p) => p.connections) ?? [];
    charts.push([
      'idle-memory.svg',
      groupedBarChart({
        title: 'Memory per idle connection (server side)',
        subtitle: `${machine}; ÷ N = growth since no connections ÷ N; marginal = growth from the first step to the last ÷ connections added`,
        yLabel: 'KiB per connection',
        series: [...levels.map((n) => `RSS ÷ N, ${n / 1000}k`), 'RSS marginal', 'heap marginal'],
        groups: report.idle.map((r) => ({
          label: r.label,
          values: [
            ...levels.map((n) => at(r.points, (p) => p.connections === n)?.rssPerConnectionKiB ?? Number.NaN),
            r.marginal?.rssKiBPerConnection ?? Number.NaN,
            r.marginal?.heapKiBPerConnection ?? Number.NaN,
          ],
        })),
        targets: [{ value: TARGETS.idleKiBPerConnection, label: `target: ≤ ${TARGETS.idleKiBPerConnection} KiB` }],
      }),
    ]);
  }

  const joinGroups = [];
  if (report.join) joinGroups.push({ label: `${report.join.joiners} concurrent joins`, values: [report.join.latency.p50Ms, report.join.latency.p95Ms, report.join.latency.p99Ms] });
  if (report.race) joinGroups.push({ label: `race: ${report.race.roomsInFlight * report.race.racersPerRoom} concurrent joins`, values: [report.race.joinLatency.p50Ms, report.race.joinLatency.p95Ms, report.race.joinLatency.p99Ms] });
  if (joinGroups.length > 0) {
    charts.push([
      'join-latency.svg',
      groupedBarChart({
        title: 'room:join latency (emit → acknowledgement), both replicas',
        subtitle: machine,
        yLabel: 'milliseconds',
        series: ['p50', 'p95', 'p99'],
        groups: joinGroups,
        targets: [{ value: TARGETS.joinP99Ms, label: `target: p99 ≤ ${TARGETS.joinP99Ms} ms (50 joiners)` }],
      }),
    ]);
  }

  if (report.firstFrame && report.firstFrame.modes.length > 0) {
    charts.push([
      'first-frame.svg',
      groupedBarChart({
        title: 'Headless Chromium: room:join → first decoded remote video frame',
        subtitle: `${machine}; ${report.firstFrame.chromium}`,
        yLabel: 'milliseconds',
        series: ['joiner p50', 'joiner p95', 'member p50', 'member p95'],
        groups: report.firstFrame.modes.map((m) => ({ label: m.mode, values: [m.firstFrameAtJoiner.p50Ms, m.firstFrameAtJoiner.p95Ms, m.firstFrameAtMember.p50Ms, m.firstFrameAtMember.p95Ms] })),
        targets: [{ value: TARGETS.firstFrameMs, label: `target: ≤ ${TARGETS.firstFrameMs} ms` }],
      }),
    ]);
    charts.push([
      'connect.svg',
      groupedBarChart({
        title: 'Headless Chromium: room:join → peer connection "connected"',
        subtitle: `${machine}; ICE + DTLS alone shown beside it`,
        yLabel: 'milliseconds',
        series: ['connect p50', 'connect p95', 'ICE+DTLS p50', 'ICE+DTLS p95'],
        groups: report.firstFrame.modes.map((m) => ({ label: m.mode, values: [m.connect.p50Ms, m.connect.p95Ms, m.iceAndDtls.p50Ms, m.iceAndDtls.p95Ms] })),
        targets: [{ value: TARGETS.relayConnectP95Ms, label: `target: relay-only connect p95 ≤ ${TARGETS.relayConnectP95Ms} ms` }],
      }),
    ]);
  }
  return charts;
}
