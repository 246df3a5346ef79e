import { TARGETS } from '../config.js';
import type { IdleMemoryResult } from '../scenarios/idle-memory.js';
import type { RelayResult } from '../scenarios/relay.js';
import { MACHINE_TOTAL } from '../process-memory.js';
import { marginToTarget, ratio } from '../stats.js';
import { relayPathsSection } from './relay-paths-report.js';
import type { BenchReport } from './write-report.js';

const fmt = (value: number | undefined | null, digits = 2): string => {
  if (value === undefined || value === null || !Number.isFinite(value)) return 'n/a';
  return Number(value.toFixed(digits)).toLocaleString('en-US', { maximumFractionDigits: digits });
};
const times = (value: number): string => (Number.isFinite(value) ? `${fmt(value)}×` : 'n/a');

function relayOf(report: BenchReport, label: string): RelayResult | undefined {
  return report.relay.find((r) => r.label === label);
}
const MESHCALL_SAME = 'meshcall, same-replica';
const MESHCALL_CROSS = 'meshcall, cross-replica';
const PEERJS = 'PeerJS server';
const NAIVE = 'naive Socket.IO relay';

function idleOf(report: BenchReport, system: string): IdleMemoryResult | undefined {
  return report.idle.find((r) => r.system === system);
}

interface TargetRow {
  figure: string;
  target: string;
  measured: number | undefined;
  unit: string;
  bound: number;
  better: 'lower' | 'higher';
  why?: string;
}

/** "signaling-1 0.9, redis 0.4, … ; other processes on the machine 0.3 (machine 1.9 of 2 cores)". */
function cpuLine(cpu: Record<string, number> | undefined, cores: number): string {
  if (!cpu) return 'n/a';
  const { [MACHINE_TOTAL]: machine, ...ours } = cpu;
  const sum = Object.values(ours).reduce((a, b) => a + b, 0);
  const others = machine === undefined ? '' : `; everything else on the machine ${fmt(Math.max(0, machine - sum))} (machine busy ${fmt(machine)} of ${cores} cores)`;
  return `${Object.entries(ours)
    .map(([name, used]) => `${name} ${fmt(used)}`)
    .join(', ')}${others}`;
}

/** CPU microseconds per relayed message of the named processes, from a ceiling reading. */
function microsecondsPerMessage(cpu: Record<string, number> | undefined, names: (name: string) => boolean, perSecond: number | undefined): number {
  if (!cpu || !perSecond) return Number.NaN;
  const cores = Object.entries(cpu)
    .filter(([name]) => names(name))
    .reduce((sum, [, used]) => sum + used, 0);
  return (cores / perSecond) * 1e6;
}

function targetRows(report: BenchReport): TargetRow[] {
  const cross = relayOf(report, MESHCALL_CROSS);
  const peerjs = relayOf(report, PEERJS);
  const naive = relayOf(report, NAIVE);
  const idle = idleOf(report, 'meshcall');
  const naiveIdle = idleOf(report, 'naive');
  const relayMode = report.firstFrame?.modes.find((m) => m.mode === 'relay-only');
  const directMode = report.firstFrame?.modes.find((m) => m.mode === 'direct');
  const pregathered = report.firstFrame?.modes.find((m) => m.mode === 'relay-only, pre-gathered');
  const floor = `The single-process baselines, one in-memory hop and no checks, take p50 ${fmt(peerjs?.atLatencyRate.latency.p50Ms, 3)} ms (PeerJS) and ${fmt(naive?.atLatencyRate.latency.p50Ms, 3)} ms (naive relay) on the same machine: that is the floor of a Node WebSocket hop here.`;
  const relayPath =
    'A meshcall signal between replicas crosses two Socket.IO hops and two Redis hops: the sender\'s replica validates it and adds it to the batch its next relay script call carries (both seats checked, a sequence number, the mailbox append that makes resume exact, PUBLISH to the recipient\'s replica), and the recipient\'s replica parses it off its pub/sub channel and emits it. A profile of both replicas at 5,000 acknowledged signals/s across replicas (profile-signaling-relay.md, 2026-12-07) puts 35-39 % of their busy time in socket writes: `writev` (21-22 %, the WebSocket frames: the signal out and the acknowledgement back) and `writeUtf8String` (13-17 %, the relay script\'s command), and 2.6 % in the listener that takes a signal off the pub/sub channel (its JSON parse), the hop a same-replica signal does not make. Through the gateway a room\'s sockets share a replica and the publish hop is skipped (see "Through the gateway").';

  const ceiling = cross?.ceiling;
  const replicaUs = microsecondsPerMessage(ceiling?.cpuCores, (n) => n.startsWith('signaling'), ceiling?.deliveredPerS);
  const redisUs = microsecondsPerMessage(ceiling?.cpuCores, (n) => n === 'redis', ceiling?.deliveredPerS);
  const generatorCores = ceiling?.cpuCores['load-generator'];
  const machineCores = ceiling?.cpuCores[MACHINE_TOTAL];
  const ours = ceiling ? Object.entries(ceiling.cpuCores).filter(([n]) => n !== MACHINE_TOTAL).reduce((sum, [, used]) => sum + used, 0) : Number.NaN;
  const throughputWhy =
    `The cores were saturated (machine busy ${fmt(machineCores)} of ${report.machine.cores}): ${cpuLine(ceiling?.cpuCores, report.machine.cores)}. ` +
    `That is ${fmt(replicaUs, 0)} µs of replica CPU (both replicas) and ${fmt(redisUs, 0)} µs of Redis CPU per relayed message; at that cost ${report.machine.cores} cores given to the servers alone would carry about ${fmt((report.machine.cores / (replicaUs + redisUs)) * 1e6, 0)} msg/s, ` +
    `but here the load generator needs ${fmt(generatorCores)} core (it sends, receives and acknowledges every message) and other work on the box took ${fmt(Math.max(0, (machineCores ?? 0) - ours))}. ` +
    'Where a replica\'s time goes (profile-signaling-relay-same-replica.md, 2026-12-07): 32-37 % of its busy samples are socket writes, `writev` for WebSocket frames (two per signal: the ack to the sender and the signal to the recipient) and `writeUtf8String` for Redis commands: signals share a script call only when they arrive during the previous call\'s round trip, so below saturation most signals still cost one Redis command each. ' +
    `PeerJS carries ${fmt(peerjs?.ceiling?.deliveredPerS, 0)} msg/s on the same cores with one parse and one write per message and no acknowledgement, authentication, validation or shared state.`;

  const join = report.join;
  const joinWhy = join
    ? `The ${join.joiners} joins of a burst queue on the two replicas: a whole burst took ${fmt(join.burstP50Ms, 1)} ms (median) to be answered and each join costs ${fmt(join.replicaCpuMsPerJoin, 2)} ms of replica CPU. A replica works on its share of a burst interleaved (every joiner's ticket check, then the scripts, then the answers), so most joiners are answered near the end of their burst (p50 ${fmt(join.latency.p50Ms, 1)} ms): the p99 is how long the slowest bursts took to clear, which the CPU of 50 joins on two cores bounds. ` +
      'Per join (profile-signaling-join.md, 2026-12-07): the ticket\'s ES256 signature check (WebCrypto: the crypto job\'s `run` on the replica\'s own thread is 11-12 % of its busy samples, about 17 µs per ticket in a microbenchmark of jose alone, and the signature math runs on libuv\'s threads besides), the take-seat script, then the snapshot script sent together with the lease-index entry (one round trip; the snapshot must follow the socket joining its Socket.IO room, or a concurrent joiner on another replica could be missed), the room snapshot encoded into the ack, and peer:joined broadcast to the room through the Redis adapter (msgpack) — with socket writes (`writev`, `writeUtf8String`, `writeBuffer`: 18-19 %) again the largest share. In this phase every room of 8 has joiners on both replicas (the bench connects to the replicas directly, alternating), so every broadcast crosses Redis. ' +
      `The cores were also shared with the load generator and other work (machine busy ${fmt(report.machineCpu?.find((p) => p.phase === 'join')?.busyCores)} of ${report.machine.cores} during the phase).`
    : '';

  const b = relayMode?.connectBreakdownP50Ms;
  const db = directMode?.connectBreakdownP50Ms;
  const connectWhy = b
    ? `Signaling is a small part: join ack ${fmt(b.join, 1)} ms and offer ${fmt(b.offer, 1)} ms (medians). The rest is ICE and DTLS in Chromium: the member starts its TURN allocation only when the offer arrives, and WebRTC's port allocator starts the relay phase one 50 ms allocation step (kMinimumStepDelay) after the UDP phase, so the member's first relay candidate reaches the joiner ${fmt(b.firstRemoteCandidate, 1)} ms after the offer (direct: ${fmt(db?.firstRemoteCandidate, 1)} ms). ` +
      `Checks then pass within ${fmt(b.iceChecks, 1)} ms, but DTLS through the relay takes ${fmt(b.dtls, 1)} ms against ${fmt(db?.dtls, 1)} ms direct, consistent with the first handshake flight being lost on the relay path and resent by WebRTC's 50 ms initial DTLS timer. ` +
      `Creating the connections before the join (the "pre-gathered" mode, iceCandidatePoolSize 1 on both sides) removes the joiner's own wait for its relay candidate (${fmt(pregathered?.connectBreakdownP50Ms?.firstLocalCandidate, 1)} ms instead of ${fmt(b.firstLocalCandidate, 1)} ms) but connect p95 stays at ${fmt(pregathered?.connect.p95Ms, 1)} ms. The target is a client-side ICE matter, not one of signaling.`
    : '';

  const gateway = report.relayPaths?.results.find((r) => r.system === 'meshcall' && r.path === 'gateway' && !r.acknowledged);
  const naiveGateway = report.relayPaths?.results.find((r) => r.system === 'naive' && r.path === 'gateway');
  const gatewayRatios = report.relayPaths?.ratios.find((r) => r.path === 'gateway' && r.peer === 'naive')?.ratios;
  const perProcess = gateway?.ceiling?.cpu.microsecondsPerMessage ?? {};
  const processUs = (match: (name: string) => boolean) => Object.entries(perProcess).filter(([name]) => match(name)).reduce((sum, [, us]) => sum + us, 0);
  const naiveUs = naiveGateway?.ceiling?.cpu.serverMicrosecondsPerMessage;
  const inProcess = gateway?.deliveryPaths;
  const gatewayWhy =
    `Through the gateway meshcall delivered ${inProcess ? `${fmt((100 * inProcess.sameReplica) / Math.max(1, inProcess.sameReplica + inProcess.crossReplica), 1)} %` : 'n/a'} of its signals in process (both sockets of a pair on the replica their room hashes to). ` +
    `At the ceiling a signal still costs ${fmt(processUs((n) => n.startsWith('signaling')), 1)} µs of replica CPU, ${fmt(processUs((n) => n === 'redis'), 1)} µs of Redis and ${fmt(processUs((n) => n === 'gateway'), 1)} µs of nginx, against ${fmt(naiveUs, 1)} µs for the naive relay and its nginx together. ` +
    'meshcall sends here as the web app does, fire and forget: one WebSocket frame in and one out per signal, as the naive relay (the row that asks for an acknowledgement of every signal, as the SDK\'s signal() does, shows what the extra frame costs). What meshcall does on top of the naive relay, per signal: validation and the per-socket rate limit, and the Redis script that stores the signal for an exact resume before it is delivered (batched: one script call per round trip to Redis, not per signal). ' +
    'A profile of both replicas at 5,000 fire-and-forget signals/s through the gateway (profile-signaling-relay-gateway-fire-and-forget.md, 2026-12-07) puts 39 % of their busy time in socket-write syscalls: `writev` (22-25 %), the one WebSocket frame out per signal the naive relay writes too, and `writeUtf8String` (14-17 %), the Redis command of each batch, which the naive relay does not have. Below saturation a batch is about one signal: counted in a replica, 1.1 signals per script call at 1,000 msg/s, 9-15 at 10,000 msg/s (one call in flight, about 2 ms a round trip on the loaded box), 60-130 at the ceiling. The msgpack parser was measured and does not pay (services/signaling/README.md).';
  const sameCauses = 'The same causes as the first through-the-gateway row.';
  const ratioRow = (figure: string, measured: number | undefined, bound: number, better: 'lower' | 'higher', why = sameCauses): TargetRow => ({
    figure,
    target: `${better === 'lower' ? '≤' : '≥'} ${bound}×`,
    measured,
    unit: '×',
    bound,
    better,
    why,
  });

  return [
    ratioRow('Through the gateway: p50 at 1,000 msg/s ÷ naive relay behind nginx', gatewayRatios?.p50Ms, TARGETS.gateway.p50Ratio, 'lower', gatewayWhy),
    ratioRow('Through the gateway: p99 at 1,000 msg/s ÷ naive relay behind nginx', gatewayRatios?.p99Ms, TARGETS.gateway.p99Ratio, 'lower'),
    ratioRow(`Through the gateway: delivered at ${fmt(report.relayPaths?.options.highRate, 0)} msg/s ÷ naive relay behind nginx`, gatewayRatios?.highStepDeliveredPerS, TARGETS.gateway.highStepDeliveredRatio, 'higher'),
    ratioRow(`Through the gateway: p99 at ${fmt(report.relayPaths?.options.highRate, 0)} msg/s ÷ naive relay behind nginx`, gatewayRatios?.highStepP99Ms, TARGETS.gateway.highStepP99Ratio, 'lower'),
    ratioRow('Through the gateway: closed-loop ceiling ÷ naive relay behind nginx', gatewayRatios?.ceilingPerS, TARGETS.gateway.ceilingRatio, 'higher'),
    {
      figure: 'CPU per relayed signal through the gateway (replicas + Redis + gateway, at the ceiling)',
      target: `≤ ${TARGETS.signalCpuMicroseconds} µs`,
      measured: gateway?.ceiling?.cpu.serverMicrosecondsPerMessage,
      unit: 'µs',
      bound: TARGETS.signalCpuMicroseconds,
      better: 'lower',
      why: `The naive relay and its nginx alone take ${fmt(naiveUs, 1)} µs here, so 30 µs is below what one Node WebSocket hop behind nginx costs on this machine. ${sameCauses}`,
    },
    {
      figure: 'Cross-replica relay p50 at 1,000 msg/s',
      target: `≤ ${TARGETS.crossReplicaP50Ms} ms`,
      measured: cross?.atLatencyRate.latency.p50Ms,
      unit: 'ms',
      bound: TARGETS.crossReplicaP50Ms,
      better: 'lower',
      why: `${relayPath} ${floor}`,
    },
    {
      figure: 'Cross-replica relay p99 at 1,000 msg/s',
      target: `≤ ${TARGETS.crossReplicaP99Ms} ms`,
      measured: cross?.atLatencyRate.latency.p99Ms,
      unit: 'ms',
      bound: TARGETS.crossReplicaP99Ms,
      better: 'lower',
      why: `The tail comes from the two cores being shared by both replicas, Redis, the load generator and other work (CPU at 1,000 msg/s: ${cpuLine(cross?.atLatencyRate.cpuCores, report.machine.cores)}); a garbage collection or a lease-renewal round on one replica delays whatever is queued behind it.`,
    },
    {
      figure: 'Throughput across two replicas (closed-loop ceiling)',
      target: `≥ ${TARGETS.throughputPerS.toLocaleString('en-US')} msg/s`,
      measured: ceiling?.deliveredPerS,
      unit: 'msg/s',
      bound: TARGETS.throughputPerS,
      better: 'higher',
      why: throughputWhy,
    },
    {
      figure: `Memory per idle connection, RSS growth ${idle?.marginal ? `${idle.marginal.fromConnections / 1000}k → ${idle.marginal.toConnections / 1000}k` : ''} ÷ connections added`,
      target: `≤ ${TARGETS.idleKiBPerConnection} KiB`,
      measured: idle?.marginal?.rssKiBPerConnection,
      unit: 'KiB',
      bound: TARGETS.idleKiBPerConnection,
      better: 'lower',
      why: `What an idle socket keeps on a replica is mostly V8 heap: ${fmt(idle?.marginal?.heapKiBPerConnection)} KiB of it here (the naive relay, the same Socket.IO with no app state: ${fmt(naiveIdle?.marginal?.heapKiBPerConnection)} KiB of heap, ${fmt(naiveIdle?.marginal?.rssKiBPerConnection)} KiB of RSS), for Socket.IO's, Engine.IO's and ws's socket objects, the verified token claims, a token bucket and the event guard's middleware (results/profile-signaling-idle.md); token deadlines share one timer per second and the disconnect listener is shared by every socket. The replicas run with V8's young generation capped (--max-semi-space-size=16): left to grow to 64 MiB a semi-space as the sockets connected, it doubled this figure (results/semi-space-ab-2026-12-07). The event handlers are registered once per replica, not per socket (7 KiB of RSS each when they were not, results/idle-ab-2026-12-06), each session's upgrade request is let go (the Socket.IO memory-usage advice), and ws 8.23 no longer keeps the last frame's read buffer (services/signaling/README.md, "Memory").`,
    },
    {
      figure: `Join p99 with ${join?.joiners ?? 50} concurrent joiners`,
      target: `≤ ${TARGETS.joinP99Ms} ms`,
      measured: join?.latency.p99Ms,
      unit: 'ms',
      bound: TARGETS.joinP99Ms,
      better: 'lower',
      why: joinWhy,
    },
    {
      figure: 'First remote frame, direct (joiner, p95)',
      target: `≤ ${TARGETS.firstFrameMs} ms`,
      measured: directMode?.firstFrameAtJoiner.p95Ms,
      unit: 'ms',
      bound: TARGETS.firstFrameMs,
      better: 'lower',
      why: 'Chromium decodes the first frame only after ICE, DTLS and the first key frame of the fake camera.',
    },
    {
      figure: 'First remote frame, relay-only (joiner, p95)',
      target: `≤ ${TARGETS.firstFrameMs} ms`,
      measured: relayMode?.firstFrameAtJoiner.p95Ms,
      unit: 'ms',
      bound: TARGETS.firstFrameMs,
      better: 'lower',
      why: 'As direct, plus TURN allocations on both sides before any candidate pair can be checked.',
    },
    {
      figure: 'Relay-only connect (room:join → connected), p95',
      target: `≤ ${TARGETS.relayConnectP95Ms} ms`,
      measured: relayMode?.connect.p95Ms,
      unit: 'ms',
      bound: TARGETS.relayConnectP95Ms,
      better: 'lower',
      why: connectWhy,
    },
  ];
}

function targetsSection(report: BenchReport): string[] {
  const rows = targetRows(report);
  const lines = ['## Targets', '', '| figure | target | measured | met | margin |', '|---|---|---|---|---|'];
  const missed: string[] = [];
  for (const row of rows) {
    if (row.measured === undefined || !Number.isFinite(row.measured)) {
      lines.push(`| ${row.figure} | ${row.target} | not measured | – | – |`);
      continue;
    }
    const margin = marginToTarget(row.measured, row.bound, row.better);
    const by = margin.met ? `beats it by ${fmt(Math.abs(margin.byPercent), 1)} %` : `misses by ${fmt(margin.byPercent, 1)} % (${fmt(Math.abs(row.measured - row.bound), 2)} ${row.unit})`;
    lines.push(`| ${row.figure} | ${row.target} | ${fmt(row.measured, row.unit === 'msg/s' ? 0 : 2)} ${row.unit} | ${margin.met ? 'yes' : '**no**'} | ${by} |`);
    if (!margin.met && row.why) missed.push(`- **${row.figure}** (${fmt(row.measured, 2)} ${row.unit} against ${row.target}, ${by}): ${row.why}`);
  }
  if (report.race) {
    lines.push(`| Over-admissions in ${report.race.trials.toLocaleString('en-US')} race trials | 0 | ${report.race.overAdmissions} | ${report.race.overAdmissions === 0 ? 'yes' : '**no**'} | ${report.race.trials < report.race.trialsWanted ? `only ${report.race.trials} of ${report.race.trialsWanted} trials ran` : '–'} |`);
  }
  lines.push('');
  if (missed.length > 0) lines.push('### Where a target is missed, and why', '', ...missed, '');
  return lines;
}

function relaySection(report: BenchReport): string[] {
  if (report.relay.length === 0) return [];
  const peerjs = relayOf(report, PEERJS);
  const naive = relayOf(report, NAIVE);
  const lines = [
    '## Signal relay, one peer to another',
    '',
    `Each system gets ${report.relay[0]?.pairs ?? 'n/a'} sender→receiver pairs of sockets in the bench process; a message is an ICE candidate (~200 bytes of JSON). Latency is send → the receiving socket's event, on one clock. meshcall pairs join rooms of two through the real protocol; same-replica pairs sit on one replica, cross-replica pairs on different replicas (alternating direction).`,
    '',
    `| system | p50 ms at ${report.relay[0]?.atLatencyRate.offeredPerS ?? 1000}/s | p99 ms | delivered/s | highest sustained step | p50 / p99 ms there | closed-loop ceiling msg/s | p50 / p99 ms at ceiling |`,
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of report.relay) {
    const top = r.highestSustainable;
    lines.push(
      `| ${r.label} | ${fmt(r.atLatencyRate.latency.p50Ms, 3)} | ${fmt(r.atLatencyRate.latency.p99Ms, 3)} | ${fmt(r.atLatencyRate.deliveredPerS, 0)} | ${top ? `${fmt(top.offeredPerS, 0)}/s` : 'none'} | ${top ? `${fmt(top.latency.p50Ms, 3)} / ${fmt(top.latency.p99Ms, 3)}` : 'n/a'} | ${fmt(r.ceiling?.deliveredPerS, 0)} | ${r.ceiling ? `${fmt(r.ceiling.latency.p50Ms, 2)} / ${fmt(r.ceiling.latency.p99Ms, 2)}` : 'n/a'} |`,
    );
  }
  lines.push('', 'Ratios, meshcall ÷ peer on the same machine in the same run (latency: below 1 is better than the peer; rates: above 1 is better):', '');
  lines.push('| meshcall figure | ÷ PeerJS | ÷ naive relay |', '|---|---|---|');
  for (const label of [MESHCALL_SAME, MESHCALL_CROSS]) {
    const m = relayOf(report, label);
    if (!m) continue;
    const row = (name: string, pick: (r: RelayResult) => number | undefined) => {
      const value = pick(m) ?? Number.NaN;
      lines.push(`| ${label}: ${name} | ${times(ratio(value, (peerjs && pick(peerjs)) ?? Number.NaN))} | ${times(ratio(value, (naive && pick(naive)) ?? Number.NaN))} |`);
    };
    row('p50 at 1,000/s', (r) => r.atLatencyRate.latency.p50Ms);
    row('p99 at 1,000/s', (r) => r.atLatencyRate.latency.p99Ms);
    row('highest sustained rate', (r) => r.highestSustainable?.offeredPerS);
    row('closed-loop ceiling', (r) => r.ceiling?.deliveredPerS);
  }
  lines.push('', 'Where the time goes: CPU per process, in cores (1 = one core busy), at the closed-loop ceiling:', '');
  lines.push('| system | CPU at the ceiling |', '|---|---|');
  for (const r of report.relay) lines.push(`| ${r.label} | ${cpuLine(r.ceiling?.cpuCores, report.machine.cores)} |`);
  lines.push('', 'Every rate step (3 s each; a step not sustained is tried once more, and the search stops at a rate not sustained twice):', '');
  lines.push('| system | offered/s | sent/s | delivered/s | p50 ms | p99 ms | refused | lost | verdict |', '|---|---|---|---|---|---|---|---|---|');
  for (const r of report.relay) {
    for (const s of r.steps) {
      lines.push(`| ${r.label} | ${fmt(s.offeredPerS, 0)} | ${fmt(s.sentPerS, 0)} | ${fmt(s.deliveredPerS, 0)} | ${fmt(s.latency.p50Ms, 3)} | ${fmt(s.latency.p99Ms, 3)} | ${s.failed} | ${s.lost} | ${s.verdict} |`);
    }
  }
  lines.push('', '![relay latency](relay-latency.svg)', '', '![relay throughput](relay-throughput.svg)', '', '![relay latency vs rate](relay-latency-vs-rate.svg)', '');
  return lines;
}

function idleSection(report: BenchReport): string[] {
  if (report.idle.length === 0) return [];
  const peerjs = idleOf(report, 'peerjs');
  const naive = idleOf(report, 'naive');
  const lines = [
    '## Idle connections: memory and connection rate',
    '',
    `Measured first, on freshly started servers. Connections opened ${report.idle[0]?.concurrency ?? 100} handshakes at a time; memory read after 2 s of quiet as the median of three readings: RSS from /proc/<pid>/status, V8 heap used from each server (meshcall: its /metrics; peers: process.memoryUsage over IPC). "÷ N" = growth over the same server with no connections ÷ connections (includes one-off growth, and garbage collection can make it negative at 1k); "marginal" = growth from the first step to the last ÷ connections added, the cost of one more connection (the headline figure). meshcall's sockets are authenticated (access token verified at the handshake) and spread over both replicas, whose figures are summed.`,
    '',
    '| system | connections | RSS MiB | KiB RSS ÷ N | heap MiB | KiB heap ÷ N | connections/s |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of report.idle) {
    lines.push(`| ${r.label} | 0 | ${fmt(r.baseline.rssBytes / 2 ** 20, 1)} | – | ${fmt(r.baseline.heapUsedBytes / 2 ** 20, 1)} | – | – |`);
    for (const p of r.points) {
      lines.push(`| ${r.label} | ${p.connections.toLocaleString('en-US')} | ${fmt(p.rssBytes / 2 ** 20, 1)} | ${fmt(p.rssPerConnectionKiB)} | ${fmt(p.heapUsedBytes / 2 ** 20, 1)} | ${fmt(p.heapPerConnectionKiB)} | ${fmt(p.connectionsPerS, 0)} |`);
    }
    if (r.marginal) lines.push(`| ${r.label} | **marginal ${r.marginal.fromConnections / 1000}k → ${r.marginal.toConnections / 1000}k** | | **${fmt(r.marginal.rssKiBPerConnection)}** | | **${fmt(r.marginal.heapKiBPerConnection)}** | |`);
    if (r.incomplete) lines.push(`| ${r.label} | ${r.incomplete} | | | | | |`);
  }
  const m = idleOf(report, 'meshcall');
  if (m) {
    const rss = (r: IdleMemoryResult | undefined) => r?.marginal?.rssKiBPerConnection ?? Number.NaN;
    const heap = (r: IdleMemoryResult | undefined) => r?.marginal?.heapKiBPerConnection ?? Number.NaN;
    lines.push('', 'Ratios, meshcall ÷ peer (below 1 is better for memory, above 1 for connections/s):', '');
    lines.push('| figure | ÷ PeerJS | ÷ naive relay |', '|---|---|---|');
    lines.push(`| marginal KiB RSS per connection | ${times(ratio(rss(m), rss(peerjs)))} | ${times(ratio(rss(m), rss(naive)))} |`);
    lines.push(`| marginal KiB heap per connection | ${times(ratio(heap(m), heap(peerjs)))} | ${times(ratio(heap(m), heap(naive)))} |`);
    lines.push(`| connections/s (whole run) | ${times(ratio(m.connectionsPerS, peerjs?.connectionsPerS ?? Number.NaN))} | ${times(ratio(m.connectionsPerS, naive?.connectionsPerS ?? Number.NaN))} |`);
  }
  lines.push('', '![idle memory](idle-memory.svg)', '');
  return lines;
}

function joinSection(report: BenchReport): string[] {
  const lines: string[] = [];
  if (report.join) {
    const j = report.join;
    lines.push(
      '## Joins',
      '',
      `${j.joiners} sockets (alternating replicas) send \`room:join\` at the same instant into ${j.rooms} rooms of ${j.roomCapacity} seats (filled exactly), ${j.rounds} rounds with fresh tickets, everyone leaving between rounds. Timed per joiner from emit to acknowledgement.`,
      '',
      '| joins | p50 ms | p95 ms | p99 ms | max ms | whole burst answered in (median) ms | joins answered/s in a burst | replica CPU per join ms | refused |',
      '|---|---|---|---|---|---|---|---|---|',
      `| ${j.latency.samples} | ${fmt(j.latency.p50Ms)} | ${fmt(j.latency.p95Ms)} | ${fmt(j.latency.p99Ms)} | ${fmt(j.latency.maxMs)} | ${fmt(j.burstP50Ms, 1)} | ${fmt(j.joinsPerS, 0)} | ${fmt(j.replicaCpuMsPerJoin)} | ${JSON.stringify(j.refusals)} |`,
      '',
    );
  }
  if (report.race) {
    const r = report.race;
    lines.push(
      '## Over-admission race trials',
      '',
      `${r.roomsInFlight} rooms of ${r.roomCapacity} seats, ${r.seatedBeforeRace} seat(s) of each held throughout; in every trial ${r.racersPerRoom} racers on different replicas, each with its own fresh ticket from rooms, send \`room:join\` at once for the last seat, in all rooms at the same time. A trial over-admits if more racers' acks say joined than seats were free, or if Redis holds more than ${r.roomCapacity} seats right after the race. The winner leaves and the room is raced for again.`,
      '',
      '| trials | over-admissions | under-filled | refusals | join p50 ms | join p99 ms | trials/s | tickets/s from rooms | duration s |',
      '|---|---|---|---|---|---|---|---|---|',
      `| ${r.trials.toLocaleString('en-US')} | **${r.overAdmissions}** | ${r.underFilled} | ${JSON.stringify(r.refusals)} | ${fmt(r.joinLatency.p50Ms)} | ${fmt(r.joinLatency.p99Ms)} | ${fmt(r.trialsPerS, 1)} | ${fmt(r.ticketsPerS, 0)} | ${fmt(r.durationS, 1)} |`,
      '',
    );
    if (r.incomplete) lines.push(`Incomplete: ${r.incomplete}.`, '');
  }
  if (lines.length > 0) lines.push('![join latency](join-latency.svg)', '');
  return lines;
}

function callSection(report: BenchReport): string[] {
  const ff = report.firstFrame;
  if (!ff) return [];
  const lines = [
    '## Calls in headless Chromium',
    '',
    `${ff.chromium}, two browser contexts with fake camera and microphone (the e2e suite's flags), a minimal page of the bench's own speaking the web client's protocol through the gateway. One person is in the room; the other joins and offers. Per mode ${ff.warmUpTrialsPerMode} warm-up call, then timed calls, each in a new room. Times from the joiner's \`room:join\`. "pre-gathered" is not what web/ does: both sides create their RTCPeerConnection with iceCandidatePoolSize 1 300 ms before the join (as a pre-join page could), so the TURN allocations are done when the call starts.`,
    '',
    '| mode | calls | first frame at joiner p50 / p95 ms | at member p50 / p95 ms | connect p50 / p95 ms | ICE+DTLS p50 / p95 ms | selected path (local/remote) | failed |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const m of ff.modes) {
    lines.push(
      `| ${m.mode} | ${m.trials} | ${fmt(m.firstFrameAtJoiner.p50Ms, 1)} / ${fmt(m.firstFrameAtJoiner.p95Ms, 1)} | ${fmt(m.firstFrameAtMember.p50Ms, 1)} / ${fmt(m.firstFrameAtMember.p95Ms, 1)} | ${fmt(m.connect.p50Ms, 1)} / ${fmt(m.connect.p95Ms, 1)} | ${fmt(m.iceAndDtls.p50Ms, 1)} / ${fmt(m.iceAndDtls.p95Ms, 1)} | ${Object.entries(m.paths).map(([p, n]) => `${p} ×${n}`).join(', ')} | ${m.failures.length} |`,
    );
  }
  lines.push('', 'Where the joiner\'s connect time goes (medians, ms):', '', '| mode | join ack | offer | offer → first own candidate | offer → answer back | offer → first remote candidate | first remote candidate → ICE connected | ICE → DTLS connected | answer → connected | checks sent / answered on the selected pair |', '|---|---|---|---|---|---|---|---|---|---|');
  for (const m of ff.modes) {
    const b = m.connectBreakdownP50Ms;
    if (!b) continue;
    lines.push(`| ${m.mode} | ${fmt(b.join, 1)} | ${fmt(b.offer, 1)} | ${fmt(b.firstLocalCandidate, 1)} | ${fmt(b.answer, 1)} | ${fmt(b.firstRemoteCandidate, 1)} | ${fmt(b.iceChecks, 1)} | ${fmt(b.dtls, 1)} | ${fmt(b.checksAndDtls, 1)} | ${fmt(m.selectedPairChecks?.sent, 0)} / ${fmt(m.selectedPairChecks?.answered, 0)} |`);
  }
  if (ff.incomplete) lines.push('', `Incomplete: ${ff.incomplete}.`);
  lines.push('', '![first frame](first-frame.svg)', '', '![connect](connect.svg)', '');
  return lines;
}

interface AuthResult {
  results?: Array<{ bcryptCost: number; throughputPerS: number; latency: { p50Ms: number; p99Ms: number } }>;
  date?: string;
}
interface RoomsResult {
  scenarios?: Array<{ name: string; p50Ms: number; p99Ms: number; requestsPerSecond: number; requests: number }>;
  date?: string;
}

function childSection(report: BenchReport): string[] {
  if (report.childBenches.length === 0) return [];
  const lines = ['## Benchmarks of one service each (run as child steps)', ''];
  for (const child of report.childBenches) {
    const freshness = child.fresh ? 'the figures below were written by this run' : child.result ? '**the figures below are not from this run**: they are the JSON on disk, from the run dated below' : 'no results of it exist';
    const status = child.status === 'out-of-time' ? `stopped after its ${child.budgetS} s budget` : `${child.status} in ${child.durationS} s (budget ${child.budgetS} s)`;
    lines.push(`### ${child.name}: \`${child.command}\``, '', `Status: ${status}; ${freshness}. Full tables: [${child.name}.md](${child.name}.md).`, '');
    if (child.name === 'auth-sign-in') {
      const result = child.result as AuthResult | undefined;
      if (result?.results) {
        lines.push(`Run ${result.date ?? '?'}:`, '', '| bcrypt cost | sign-ins/s | p50 ms | p99 ms |', '|---|---|---|---|');
        for (const r of result.results) lines.push(`| ${r.bcryptCost} | ${fmt(r.throughputPerS, 1)} | ${fmt(r.latency.p50Ms, 1)} | ${fmt(r.latency.p99Ms, 1)} |`);
        lines.push('');
      }
    }
    if (child.name === 'rooms-list') {
      const result = child.result as RoomsResult | undefined;
      if (result?.scenarios) {
        lines.push(`Run ${result.date ?? '?'}:`, '', '| scenario | requests | p50 ms | p99 ms | requests/s |', '|---|---|---|---|---|');
        for (const s of result.scenarios) lines.push(`| ${s.name} | ${s.requests} | ${fmt(s.p50Ms, 1)} | ${fmt(s.p99Ms, 1)} | ${fmt(s.requestsPerSecond, 2)} |`);
        lines.push('');
      }
    }
  }
  return lines;
}

/** The networks phase: first remote frame per restrictive network, from the network tier's own bench. */
function networksSection(report: BenchReport): string[] {
  const outcome = report.networks;
  if (!outcome) return [];
  const result = outcome.result;
  const freshness = outcome.fresh ? 'the figures below were written by this run' : result ? '**the figures below are not from this run**: they are the JSON on disk, from the run dated below' : 'no results of it exist';
  const status = outcome.status === 'out-of-time' ? `stopped after its ${outcome.budgetS} s budget` : `${outcome.status} in ${outcome.durationS} s (budget ${outcome.budgetS} s)`;
  const lines = [
    '## Calls through restrictive networks: time to the first remote frame',
    '',
    `\`${outcome.command}\`: two Chromiums in network namespaces behind the network tier's NATs and firewalls (tests/networks), the stack in a "public" namespace with TURN over UDP, TCP and TLS on 443; from Bob's join to the first decoded remote frame. Status: ${status}; ${freshness}. Full table: [${outcome.name}.md](${outcome.name}.md).`,
    '',
  ];
  if (result?.scenarios) {
    const cell = (value: { min: number; median: number; max: number } | undefined) => (value ? `${value.median} (${value.min}–${value.max})` : '–');
    lines.push(`Run ${result.date}, ${result.runsPerScenario} calls per scenario, median (min–max) ms:`, '', '| scenario | up both ways | Alice sees Bob | Bob sees Alice | failed calls |', '|---|---|---|---|---|');
    for (const scenario of result.scenarios) {
      const failed = scenario.notRun ? `not run: ${scenario.notRun}` : scenario.failures.length === 0 ? 'none' : String(scenario.failures.length);
      lines.push(`| ${scenario.scenario} | ${cell(scenario.bothWaysMs)} | ${cell(scenario.aliceMs)} | ${cell(scenario.bobMs)} | ${failed} |`);
    }
    lines.push('');
  }
  return lines;
}

/** The machine is shared: how busy it was per phase, so a noisy figure can be recognised as such. */
function machineCpuLines(report: BenchReport): string[] {
  if (!report.machineCpu || report.machineCpu.length === 0) return [];
  return [
    `Whole-machine CPU during each phase, in busy cores of ${report.machine.cores} (the bench's own processes included; what is above their share is other work on the box): ${report.machineCpu.map((p) => `${p.phase} ${fmt(p.busyCores)} over ${fmt(p.seconds, 0)} s`).join('; ')}.`,
    '',
  ];
}

export function renderSummary(report: BenchReport): string {
  const minutes = Math.floor(report.durationS / 60);
  const lines = [
    '# meshcall benchmarks: summary',
    '',
    `Run ${report.date} with \`npm run bench -w @meshcall/bench\` (phases: ${report.phases.join(', ')}), ${minutes} min ${fmt(report.durationS - minutes * 60, 0)} s in all. Generated from [meshcall-bench.json](meshcall-bench.json); methodology in [bench/README.md](../README.md).`,
    '',
    `Machine: ${report.machine.cpuModel}, ${report.machine.cores} cores, ${report.machine.memoryGiB} GiB, ${report.machine.os}; open-file limit ${report.machine.openFileLimit}; 1-minute load average ${report.machine.loadAverage1m} at the start and ${fmt(report.loadAverage1mAtEnd)} at the end. Everything (stack, peers, load generator, Chromium) shares these cores, on loopback.`,
    '',
    ...machineCpuLines(report),
    `Versions: ${Object.entries(report.versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}.`,
    '',
    'Configuration changed for the bench: signaling\'s per-socket token bucket is raised to 1,000,000 events/s (SOCKET_RATE_LIMIT_PER_SECOND and _BURST through the launcher\'s serviceEnv) so the ceiling measured is the relay\'s, not the limit\'s; at the default 30/s a socket could not carry the throughput steps. Rooms\' per-account room quota and creation rate (ROOMS_PER_ACCOUNT, ROOM_CREATE_RATE_LIMIT) are raised to 100,000, since the race alone has one account create 250 rooms at once. PeerJS server\'s concurrent_limit is raised from 5,000 to 20,000 for the 10k-connection step. Nothing else differs from the launcher\'s local stack.',
    '',
    ...targetsSection(report),
    ...relaySection(report),
    ...relayPathsSection(report.relayPaths),
    ...idleSection(report),
    ...joinSection(report),
    ...callSection(report),
    ...childSection(report),
    ...networksSection(report),
  ];
  if (report.errors.length > 0) {
    lines.push('## Errors in this run', '', ...report.errors.map((e) => `- ${e.phase}: ${e.message}`), '');
  }
  return `${lines.join('\n')}\n`;
}
