import type { MeteredProcess } from '../process-memory.js';

/** The three systems every relay, throughput and memory figure is measured on. */
export type SystemName = 'meshcall' | 'peerjs' | 'naive';

/** One sender socket and one receiver socket that can reach each other through the system. */
export interface RelayPair {
  /** Sends one candidate carrying `id` from this pair's sender to its receiver. */
  send(id: number): void;
}

export interface RelayHandlers {
  /** A receiver got the candidate with this bench id. */
  onReceive(id: number): void;
  /** The system refused the send of `id` (meshcall says so when the signal asked for an acknowledgement; the peers never say no). */
  onFailure(id: number, reason: string): void;
}

/** A system under a relay load: opens pairs of connected, introduced peers and closes them again. */
export interface RelayTarget {
  readonly system: SystemName;
  /** What the figure is called in reports ("meshcall, cross-replica"). */
  readonly label: string;
  /** meshcall only: every signal asks for an acknowledgement (the peers never acknowledge). */
  readonly acknowledged?: boolean;
  openPairs(count: number, handlers: RelayHandlers): Promise<RelayPair[]>;
  closePairs(): Promise<void>;
  /** Processes to sample CPU and memory of while the load runs, by name. */
  processes(): MeteredProcess[];
  /**
   * meshcall only: how many signals since the pairs opened were delivered by the replica that
   * relayed them, and how many crossed to another replica (from the replicas' own metrics).
   */
  deliveryPaths?(): Promise<DeliveryPaths>;
}

export interface DeliveryPaths {
  sameReplica: number;
  crossReplica: number;
}

/** A system under the idle-connection load. */
export interface IdleTarget {
  readonly system: SystemName;
  readonly label: string;
  /** Opens `count` more idle connections, at most `concurrency` handshakes at once, none started after `deadline`. */
  open(count: number, concurrency: number, deadline?: number): Promise<void>;
  /** Memory of the server process(es), summed over replicas. */
  memory(): Promise<{ rssBytes: number; heapUsedBytes: number }>;
  closeAll(): Promise<void>;
}
