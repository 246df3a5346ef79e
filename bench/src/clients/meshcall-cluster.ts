import { sendUnacknowledged } from '@meshcall/client';
import { benchCandidate, idOfCandidate } from '../load/candidate.js';
import type { DeliveryPaths, IdleTarget, RelayHandlers, RelayPair, RelayTarget } from '../load/relay-target.js';
import { parsePrometheusValue, readRssBytes, sumPrometheusSamples, type MeteredProcess } from '../process-memory.js';
import { mapLimited, type BenchUser, type MeshcallApi } from './meshcall-api.js';
import { connectMeshcall, joinOrThrow, leaveAndClose, type MeshcallSocket } from './meshcall-socket.js';

const RELAY_LATENCY_COUNT = 'signaling_relay_latency_seconds_count';

/** A replica's Prometheus text (its own /metrics, not through the gateway). */
async function replicaMetrics(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
}

/** What the bench needs of a running meshcall stack. */
export interface MeshcallCluster {
  api: MeshcallApi;
  users: BenchUser[];
  /** Each signaling replica's own address; index = replica. */
  replicaUrls: string[];
  /** An Origin the stack allows (the gateway's). */
  origin: string;
  /** Signaling processes, for CPU and memory readings. */
  replicaPids: number[];
  redisPid: number | undefined;
  /** The stack's nginx gateway (the path users take): its URL and master pid. */
  gateway?: { url: string; pid: number };
}

/**
 * Where the bench puts a pair's sockets: on one replica, on two, or wherever the gateway puts
 * them, as it does for every user (by the room named in the handshake).
 */
export type Placement = 'same-replica' | 'cross-replica' | 'gateway';

export interface SeatedPair {
  sender: MeshcallSocket;
  receiver: MeshcallSocket;
  receiverPeerId: string;
  senderReplica: number;
  receiverReplica: number;
}

/** Setup requests in flight at once: enough to be quick, few enough not to queue in FerretDB. */
const SETUP_CONCURRENCY = 8;

/**
 * Seats `count` pairs, each in its own room of two, through the real protocol (room from rooms,
 * tickets from rooms, `room:join` on signaling). Same-replica pairs alternate between replicas;
 * cross-replica pairs alternate direction, so both replicas send and receive alike.
 */
export async function seatPairs(cluster: MeshcallCluster, count: number, placement: Placement): Promise<SeatedPair[]> {
  const replicas = cluster.replicaUrls.length;
  return mapLimited(Array.from({ length: count }, (_, i) => i), SETUP_CONCURRENCY, async (i) => {
    const senderUser = cluster.users[(2 * i) % cluster.users.length] as BenchUser;
    const receiverUser = cluster.users[(2 * i + 1) % cluster.users.length] as BenchUser;
    const roomId = await cluster.api.createRoom(senderUser, { capacity: 2, name: `relay ${placement} ${i}` });
    const senderGrant = await cluster.api.joinGrant(senderUser, roomId);
    const receiverGrant = await cluster.api.joinGrant(receiverUser, roomId);
    const senderReplica = i % replicas;
    const receiverReplica = placement === 'same-replica' ? senderReplica : (senderReplica + 1) % replicas;
    const urlOf = (replica: number) => {
      if (placement !== 'gateway') return cluster.replicaUrls[replica] as string;
      if (!cluster.gateway) throw new Error('meshcall through the gateway: the cluster has no gateway');
      return cluster.gateway.url;
    };
    const sender = await connectMeshcall(urlOf(senderReplica), senderUser.accessToken, cluster.origin, { roomId });
    const receiver = await connectMeshcall(urlOf(receiverReplica), receiverUser.accessToken, cluster.origin, { roomId });
    await joinOrThrow(sender, senderGrant.ticket);
    const receiverPeerId = await joinOrThrow(receiver, receiverGrant.ticket);
    return { sender, receiver, receiverPeerId, senderReplica, receiverReplica };
  });
}

/**
 * How the load sends its signals: `acknowledged` asks for an acknowledgement of each (the SDK's
 * `signal()`, which learns when a signal is stored or refused); `fire-and-forget` sends without one,
 * as the web app sends its descriptions and candidates (`sendUnacknowledged`: no answer frame).
 */
export type SignalMode = 'acknowledged' | 'fire-and-forget';

/** meshcall's signaling under a relay load: `signal { to, candidate }`, acknowledged or not. */
export class MeshcallRelayTarget implements RelayTarget {
  readonly system = 'meshcall' as const;
  readonly label: string;
  readonly acknowledged: boolean;
  private pairs: SeatedPair[] = [];
  private deliveredBefore: DeliveryPaths = { sameReplica: 0, crossReplica: 0 };

  constructor(
    private readonly cluster: MeshcallCluster,
    readonly placement: Placement,
    signals: SignalMode,
  ) {
    this.acknowledged = signals === 'acknowledged';
    const where = placement === 'gateway' ? 'through the gateway' : placement;
    this.label = `meshcall, ${where}${this.acknowledged ? '' : ', fire and forget'}`;
  }

  async openPairs(count: number, handlers: RelayHandlers): Promise<RelayPair[]> {
    this.pairs = await seatPairs(this.cluster, count, this.placement);
    this.deliveredBefore = await this.deliveredSoFar();
    return this.pairs.map((pair) => {
      pair.receiver.on('signal', (message) => {
        const id = idOfCandidate(message.candidate);
        if (id !== undefined) handlers.onReceive(id);
      });
      if (!this.acknowledged) return { send: (id: number) => sendUnacknowledged(pair.sender, 'signal', { to: pair.receiverPeerId, candidate: benchCandidate(id) }) };
      return {
        send: (id: number) =>
          pair.sender.emit('signal', { to: pair.receiverPeerId, candidate: benchCandidate(id) }, (ack) => {
            if (!ack.ok) handlers.onFailure(id, ack.error.code);
          }),
      };
    });
  }

  async closePairs(): Promise<void> {
    await mapLimited(this.pairs, 50, async (pair) => {
      await Promise.all([leaveAndClose(pair.sender), leaveAndClose(pair.receiver)]);
    });
    this.pairs = [];
  }

  async deliveryPaths(): Promise<DeliveryPaths> {
    const now = await this.deliveredSoFar();
    return { sameReplica: now.sameReplica - this.deliveredBefore.sameReplica, crossReplica: now.crossReplica - this.deliveredBefore.crossReplica };
  }

  /** Signals every replica has emitted so far, by whether the sender sat on the same replica. */
  private async deliveredSoFar(): Promise<DeliveryPaths> {
    const totals: DeliveryPaths = { sameReplica: 0, crossReplica: 0 };
    for (const url of this.cluster.replicaUrls) {
      const metrics = await replicaMetrics(url);
      totals.sameReplica += sumPrometheusSamples(metrics, RELAY_LATENCY_COUNT, { name: 'path', value: 'same-replica' });
      totals.crossReplica += sumPrometheusSamples(metrics, RELAY_LATENCY_COUNT, { name: 'path', value: 'cross-replica' });
    }
    return totals;
  }

  processes(): MeteredProcess[] {
    const processes: MeteredProcess[] = this.cluster.replicaPids.map((pid, i) => ({ name: `signaling-${i + 1}`, pid }));
    if (this.cluster.redisPid !== undefined) processes.push({ name: 'redis', pid: this.cluster.redisPid });
    if (this.placement === 'gateway' && this.cluster.gateway) processes.push({ name: 'gateway', pid: this.cluster.gateway.pid, withChildren: true });
    return processes;
  }
}

/** Idle authenticated sockets, spread evenly over the replicas; memory summed over them. */
export class MeshcallIdleTarget implements IdleTarget {
  readonly system = 'meshcall' as const;
  readonly label = 'meshcall (2 replicas)';
  private sockets: MeshcallSocket[] = [];

  constructor(private readonly cluster: MeshcallCluster) {}

  async open(count: number, concurrency: number, deadline?: number): Promise<void> {
    const offset = this.sockets.length;
    await mapLimited(
      Array.from({ length: count }, (_, i) => offset + i),
      concurrency,
      async (n) => {
        const user = this.cluster.users[n % this.cluster.users.length] as BenchUser;
        this.sockets.push(await connectMeshcall(this.cluster.replicaUrls[n % this.cluster.replicaUrls.length] as string, user.accessToken, this.cluster.origin));
      },
      { deadline },
    );
  }

  async memory(): Promise<{ rssBytes: number; heapUsedBytes: number }> {
    let rssBytes = 0;
    let heapUsedBytes = 0;
    for (const [i, url] of this.cluster.replicaUrls.entries()) {
      rssBytes += readRssBytes(this.cluster.replicaPids[i] as number);
      const metrics = await replicaMetrics(url);
      heapUsedBytes += parsePrometheusValue(metrics, 'nodejs_heap_size_used_bytes') ?? Number.NaN;
    }
    return { rssBytes, heapUsedBytes };
  }

  async closeAll(): Promise<void> {
    for (const socket of this.sockets) socket.close();
    this.sockets = [];
  }
}
