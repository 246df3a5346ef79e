import { performance } from 'node:perf_hooks';
import { mapLimited, type BenchUser } from '../clients/meshcall-api.js';
import type { MeshcallCluster } from '../clients/meshcall-cluster.js';
import { connectMeshcall, joinRoom, leaveRoom, type MeshcallSocket } from '../clients/meshcall-socket.js';
import { ratePerSecond, summarize, type LatencySummary } from '../stats.js';

export interface JoinLatencyResult {
  joiners: number;
  rooms: number;
  roomCapacity: number;
  rounds: number;
  latency: LatencySummary;
  refusals: Record<string, number>;
  /** Joins answered per second while a burst was in flight. */
  joinsPerS: number;
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
  let rounds = 0;
  try {
    await mapLimited(Array.from({ length: options.joiners }, (_, i) => i), 10, async (i) => {
      sockets[i] = await connectMeshcall(cluster.replicaUrls[i % cluster.replicaUrls.length] as string, userOf(i).accessToken, cluster.origin);
    });
    for (let round = 0; round < options.rounds && performance.now() < options.deadline; round++) {
      const grants = await mapLimited(sockets, 10, (_, i) => cluster.api.joinGrant(userOf(i), rooms[Math.floor(i / options.roomCapacity)] as string));
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
      burstMs += performance.now() - burstStart;
      await Promise.all(admitted.map((socket) => socket && leaveRoom(socket)));
      rounds += 1;
    }
  } finally {
    for (const socket of sockets) socket?.close();
  }
  const result = {
    joiners: options.joiners,
    rooms: roomCount,
    roomCapacity: options.roomCapacity,
    rounds,
    latency: summarize(latencies),
    refusals,
    joinsPerS: ratePerSecond(latencies.length + Object.values(refusals).reduce((a, b) => a + b, 0), burstMs),
  };
  progress(`join: ${options.joiners} concurrent joiners × ${rounds} rounds, p50 ${result.latency.p50Ms} ms p99 ${result.latency.p99Ms} ms`);
  return result;
}
