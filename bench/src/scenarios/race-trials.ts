import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { redisKeys } from '@meshcall/shared';
import { mapLimited, type BenchUser } from '../clients/meshcall-api.js';
import type { MeshcallCluster } from '../clients/meshcall-cluster.js';
import { connectMeshcall, joinOrThrow, joinRoom, leaveRoom, type MeshcallSocket } from '../clients/meshcall-socket.js';
import { ratePerSecond, round, summarize, type LatencySummary } from '../stats.js';

export interface RaceResult {
  trials: number;
  trialsWanted: number;
  roomsInFlight: number;
  roomCapacity: number;
  /** Seats taken before the race and kept through every trial: the racers fight for the rest. */
  seatedBeforeRace: number;
  racersPerRoom: number;
  /** Trials where more racers got in than seats were free (by acks or by Redis): must be 0. */
  overAdmissions: number;
  /** Trials where fewer racers got in than seats were free (a join failed for another reason). */
  underFilled: number;
  refusals: Record<string, number>;
  /** Join latency of every racer, admitted or refused, under the race. */
  joinLatency: LatencySummary;
  durationS: number;
  trialsPerS: number;
  /** Join tickets fetched from rooms over HTTP for the trials, per second (the setup's pace). */
  ticketsPerS: number;
  incomplete?: string;
}

/**
 * Over-admission trials, the race the architecture promises to win: rooms of `roomCapacity`
 * seats whose other seats are already held, and `racersPerRoom` racers on different replicas
 * fighting for the last one. In every round each racer gets a fresh ticket from rooms (before
 * anyone races, so rooms issues all of them), then all racers of all rooms send `room:join` at
 * once. A trial over-admits if more racers' acks say "joined" than seats were free, or if Redis
 * holds more seats than the capacity right after the race. The winner leaves and the room is
 * raced for again. Bounded by the trial count and the deadline.
 */
export async function runRaceTrials(
  cluster: MeshcallCluster,
  redis: Redis,
  options: { trials: number; roomsInFlight: number; racersPerRoom: number; roomCapacity: number; deadline: number },
  progress: (line: string) => void,
): Promise<RaceResult> {
  const { racersPerRoom, roomCapacity } = options;
  const seatedBeforeRace = roomCapacity - 1;
  // The owner holds the seats taken before the race; one account holds one seat per room.
  if (seatedBeforeRace !== 1) throw new Error(`race trials need rooms of capacity 2 (got ${roomCapacity})`);
  const freeSeats = roomCapacity - seatedBeforeRace;
  const replicas = cluster.replicaUrls.length;
  const owner = cluster.users[0] as BenchUser;
  // Racers are never the owner, who holds the other seats: one account holds one seat per room,
  // so an owner racing would take over its own held seat instead of racing for the free one.
  const racerOf = (i: number) => cluster.users[1 + (i % (cluster.users.length - 1))] as BenchUser;
  const rooms = await mapLimited(Array.from({ length: options.roomsInFlight }, (_, i) => i), 8, (i) => cluster.api.createRoom(owner, { capacity: roomCapacity, name: `race ${i}` }));
  const holders: MeshcallSocket[] = [];
  const racers: MeshcallSocket[] = [];
  const refusals: Record<string, number> = {};
  const latencies: number[] = [];
  let trials = 0;
  let overAdmissions = 0;
  let underFilled = 0;
  let ticketMs = 0;
  let tickets = 0;
  let incomplete: string | undefined;
  const start = performance.now();
  try {
    await mapLimited(Array.from({ length: rooms.length * seatedBeforeRace }, (_, i) => i), 10, async (i) => {
      const room = rooms[Math.floor(i / seatedBeforeRace)] as string;
      const holder = await connectMeshcall(cluster.replicaUrls[i % replicas] as string, owner.accessToken, cluster.origin);
      holders.push(holder);
      await joinOrThrow(holder, (await cluster.api.joinGrant(owner, room)).ticket);
    });
    await mapLimited(Array.from({ length: rooms.length * racersPerRoom }, (_, i) => i), 20, async (i) => {
      // Racer k of room r sits on replica (r + k) mod replicas: the racers of a room are on different replicas.
      const replica = (Math.floor(i / racersPerRoom) + (i % racersPerRoom)) % replicas;
      racers[i] = await connectMeshcall(cluster.replicaUrls[replica] as string, racerOf(i).accessToken, cluster.origin);
    });
    while (trials < options.trials) {
      if (performance.now() > options.deadline) {
        incomplete = `out of time after ${trials} trials`;
        break;
      }
      const roomsThisRound = Math.min(rooms.length, options.trials - trials);
      const racing = racers.slice(0, roomsThisRound * racersPerRoom);
      const ticketStart = performance.now();
      const grants = await mapLimited(racing, 16, (_, i) => cluster.api.joinGrant(racerOf(i), rooms[Math.floor(i / racersPerRoom)] as string), { deadline: options.deadline });
      ticketMs += performance.now() - ticketStart;
      tickets += grants.length;

      const acks = await Promise.all(
        racing.map(async (socket, i) => {
          const sent = performance.now();
          const ack = await joinRoom(socket, (grants[i] as { ticket: string }).ticket);
          latencies.push(performance.now() - sent);
          if (!ack.ok) refusals[ack.error.code] = (refusals[ack.error.code] ?? 0) + 1;
          return ack.ok;
        }),
      );
      const seatCounts = (await redis
        .pipeline(Array.from({ length: roomsThisRound }, (_, r) => ['zcard', redisKeys.roomSeats(rooms[r] as string)]))
        .exec()) as Array<[Error | null, number]>;
      for (let r = 0; r < roomsThisRound; r++) {
        const admitted = acks.slice(r * racersPerRoom, (r + 1) * racersPerRoom).filter(Boolean).length;
        const seated = seatCounts[r]?.[1] ?? 0;
        if (admitted > freeSeats || seated > roomCapacity) overAdmissions += 1;
        else if (admitted < Math.min(freeSeats, racersPerRoom)) underFilled += 1;
      }
      await Promise.all(racing.map((socket, i) => (acks[i] ? leaveRoom(socket) : undefined)));
      trials += roomsThisRound;
      if (trials % 2_000 < roomsThisRound) progress(`race: ${trials} trials, ${overAdmissions} over-admissions`);
    }
  } catch (error) {
    incomplete = `stopped after ${trials} trials: ${(error as Error).message}`;
  } finally {
    for (const socket of [...holders, ...racers]) socket?.close();
  }
  const elapsedMs = performance.now() - start;
  const result: RaceResult = {
    trials,
    trialsWanted: options.trials,
    roomsInFlight: rooms.length,
    roomCapacity,
    seatedBeforeRace,
    racersPerRoom,
    overAdmissions,
    underFilled,
    refusals,
    joinLatency: summarize(latencies),
    durationS: round(elapsedMs / 1000, 1),
    trialsPerS: ratePerSecond(trials, elapsedMs),
    ticketsPerS: ratePerSecond(tickets, ticketMs),
  };
  if (incomplete) result.incomplete = incomplete;
  return result;
}
