/** The two places the integration suite can run the stack. */
export type EnvironmentName = 'local' | 'testcontainers';

/** Services the launcher runs as replicas behind the gateway. */
export type ServiceName = 'auth' | 'rooms' | 'signaling';

/** What a scenario may ask of the stack it gets (one stack per scenario file). */
export interface EnvironmentOptions {
  /** Signaling replicas behind the gateway; 2 unless a scenario needs another count. */
  signalingReplicas?: number;
  /** Auth replicas; 1 unless a scenario tests state shared between replicas. */
  authReplicas?: number;
  /** Extra environment for every service (a short ACCESS_TOKEN_TTL, for one). */
  serviceEnv?: Record<string, string>;
  /** A six-node Redis Cluster (3 masters, 3 replicas) instead of one Redis; the local launcher only. */
  redisCluster?: boolean;
}

/** What killing a Redis Cluster master did. */
export interface RedisMasterKill {
  /** The port of the master that was SIGKILLed. */
  killedPort: number;
  /** The port of the node that serves the slot now, once the cluster is healthy again. */
  promotedPort: number;
  /** From the kill until every node sees every slot served again. */
  failoverMs: number;
}

/** Direct addresses of every service replica, for checks the gateway hides (metrics, one replica). */
export interface ServiceUrls {
  auth: string[];
  rooms: string[];
  signaling: string[];
}

/**
 * The whole stack as the scenarios see it. Scenarios are written once against this interface and
 * run unchanged on the local launcher and on Testcontainers; only fault injection differs in how
 * it is done (a process signal or a container operation), never in what it means.
 */
export interface TestEnvironment {
  readonly name: EnvironmentName;
  /** One line saying where each piece runs, printed at the start of every scenario file. */
  readonly description: string;
  /** The gateway's origin, e.g. http://127.0.0.1:41234; kept the same across restartStack(). */
  readonly gatewayUrl: string;
  /** Current replica addresses (they change when the stack restarts). */
  readonly urls: ServiceUrls;
  /** Stops Redis and starts it again on the same port (its data may or may not survive). */
  restartRedis(): Promise<void>;
  /** Freezes Redis (SIGSTOP or a paused container) for `ms`, then lets it run again. */
  freezeRedis(ms: number): Promise<void>;
  /** Stops the MongoDB-wire server; the services keep running. */
  stopMongo(): Promise<void>;
  /** Starts the MongoDB-wire server again on the same port with the same data. */
  startMongo(): Promise<void>;
  /**
   * Kills one signaling replica with SIGKILL (no goodbye to anyone) and waits until it is gone. A
   * deliberate fault: the replica stays down until `startService` (the launcher's supervisor does
   * not restart what a test stopped on purpose).
   */
  killSignalingReplica(index: number): Promise<void>;
  /**
   * SIGKILLs one signaling replica from outside whatever runs it, as `kill -9 PID` in a shell
   * would, resolves once it is gone, and leaves its recovery to the environment: the launcher's
   * supervisor restarts it on the same port. Absent where nothing restarts a crashed piece:
   * Testcontainers applies no restart policy (`restart: unless-stopped` is compose's), so the
   * scenario that needs it runs on the local launcher only.
   */
  crashSignalingReplica?(index: number): Promise<void>;
  /** Gracefully stops one replica of a service (SIGTERM) and resolves once it has exited. */
  stopService(service: ServiceName, index: number): Promise<void>;
  /** Starts a stopped or killed replica again on its old port and waits until it is ready. */
  startService(service: ServiceName, index: number): Promise<void>;
  /** Stops every piece of the stack and starts it again on the same data and gateway port. */
  restartStack(): Promise<void>;
  /**
   * With `redisCluster`: SIGKILLs the master serving `key`'s slot, waits until its replica took
   * over and the cluster is healthy again, and says what happened. The killed node stays down
   * until `restartRedisNode`.
   */
  killRedisMasterOf?(key: string): Promise<RedisMasterKill>;
  /** Starts a killed cluster node again on its port; it rejoins as a replica. */
  restartRedisNode?(port: number): Promise<void>;
  /** Stops everything and removes what the environment created. */
  stop(): Promise<void>;
}
