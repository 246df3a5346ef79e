import { performance } from 'node:perf_hooks';
import { mapLimited, type BenchUser } from '../clients/meshcall-api.js';
import type { MeshcallCluster } from '../clients/meshcall-cluster.js';
import { connectMeshcall, joinRoom, leaveRoom, type MeshcallSocket } from '../clients/meshcall-socket.js';
import { readCpuSeconds } from '../process-memory.js';
import { ratePerSecond, round, summarize, type LatencySummary } from '../stats.js';

export interface JoinLatencyResult {
  joiners: number;
  rooms: number;
  roomCapacity: number;
  rounds: number;
  latency: LatencySummary;
  refusals: Record<string, number>;
  /** Joins answered per second while a burst was in flight. */
  joinsPerS: number;
  /** CPU the two replicas spent per join during the bursts (both replicas summed), in ms. */
  replicaCpuMsPerJoin: number;
  /** How long a burst of `joiners` took to be fully answered, median in ms. */
  burstP50Ms: number;
}

/**
 * `joiners` sockets (alternating between the replicas) send `room:join` at the same instant, into
 * rooms of `roomCapacity` seats filled exactly, so every join runs the whole path: ticket
 * signature check, the capacity script in Redis, the room snapshot, the peer:joined broadcast.
 * Each round uses fresh tickets (they are single-use) fetched before the burst, untimed; after
 * the burst everyone leaves. Timed: from emit to acknowledgement, per joiner.
 */
export async function measureJoinLatency(
  cluster: MeshcallCluster,
  options: { joiners: number; roomCapacity: number; rounds: number; deadline: number },
  progress: (line: string) => void,
): Promise<JoinLatencyResult> {
  const roomCount = Math.ceil(options.joiners / options.roomCapacity);
  const owner = cluster.users[0] as BenchUser;
  const rooms = await mapLimited(Array.from({ length: roomCount }, (_, i) => i), 4, (i) => cluster.api.createRoom(owner, { capacity: options.roomCapacity, name: `join burst ${i}` }));
  const userOf = (i: number) => cluster.users[i % cluster.users.length] as BenchUser;
  const sockets: MeshcallSocket[] = [];
  const latencies: number[] = [];
  const refusals: Record<string, number> = {};
  let burstMs = 0;
  const bursts: number[] = [];
  let replicaCpuSeconds = 0;
  const replicaCpu = () => cluster.replicaPids.reduce((sum, pid) => sum + readCpuSeconds(pid), 0);
  let rounds = 0;
  try {
    await mapLimited(Array.from({ length: options.joiners }, (_, i) => i), 10, async (i) => {
      sockets[i] = await connectMeshcall(cluster.replicaUrls[i % cluster.replicaUrls.length] as string, userOf(i).accessToken, cluster.origin);
    });
    for (let round = 0; round < options.rounds && performance.now() < options.deadline; round++) {
      const grants = await mapLimited(sockets, 10, (_, i) => cluster.api.joinGrant(userOf(i), rooms[Math.floor(i / options.roomCapacity)] as string));
      const cpuBefore = replicaCpu();
      const burstStart = performance.now();
      const admitted = await Promise.all(
        sockets.map(async (socket, i) => {
          const start = performance.now();
          const ack = await joinRoom(socket, (grants[i] as { ticket: string }).ticket);
          if (ack.ok) latencies.push(performance.now() - start);
          else refusals[ack.error.code] = (refusals[ack.error.code] ?? 0) + 1;
          return ack.ok ? socket : undefined;
        }),
      );
      const burst = performance.now() - burstStart;
      replicaCpuSeconds += replicaCpu() - cpuBefore;
      burstMs += burst;
      bursts.push(burst);
      await Promise.all(admitted.map((socket) => socket && leaveRoom(socket)));
      rounds += 1;
    }
  } finally {
    for (const socket of sockets) socket?.close();
  }
  const answered = latencies.length + Object.values(refusals).reduce((a, b) => a + b, 0);
  const result = {
    joiners: options.joiners,
    rooms: roomCount,
    roomCapacity: options.roomCapacity,
    rounds,
    latency: summarize(latencies),
    refusals,
    joinsPerS: ratePerSecond(answered, burstMs),
    replicaCpuMsPerJoin: round((replicaCpuSeconds * 1000) / Math.max(answered, 1), 2),
    burstP50Ms: summarize(bursts).p50Ms,
  };
  progress(`join: ${options.joiners} concurrent joiners × ${rounds} rounds, p50 ${result.latency.p50Ms} ms p99 ${result.latency.p99Ms} ms`);
  return result;
}
