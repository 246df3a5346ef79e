/**
 * Sizes and time budgets of `npm run bench`. Every load is bounded by a count and by a time; the
 * budgets add up to less than the 19 minutes the whole run may take on the 2-core reference box
 * (14.5 for the loopback phases and the child steps, 4.5 for the networks phase).
 */
export const RUN_BUDGET_MS = 19 * 60_000;

/** Signaling's per-socket token bucket, raised for the bench (see README: "Rate limit"). */
const BENCH_SOCKET_RATE_LIMIT = '1000000';

/** Rooms' per-account room quota and creation rate, raised: the race alone has one account create 250 rooms at once. */
const BENCH_ROOMS_PER_ACCOUNT = '100000';

/**
 * Rooms' bounds on TURN credentials per user and per room, raised: the race trials and join
 * bursts have the same users join the same rooms thousands of times within ten minutes.
 */
const BENCH_TURN_GRANTS = '1000000';

/** What the bench changes in the services' environment: the per-socket rate limit and the per-account room limits. */
export const BENCH_SERVICE_ENV = {
  SOCKET_RATE_LIMIT_PER_SECOND: BENCH_SOCKET_RATE_LIMIT,
  SOCKET_RATE_LIMIT_BURST: BENCH_SOCKET_RATE_LIMIT,
  ROOMS_PER_ACCOUNT: BENCH_ROOMS_PER_ACCOUNT,
  ROOM_CREATE_RATE_LIMIT: BENCH_ROOMS_PER_ACCOUNT,
  TURN_GRANTS_PER_USER: BENCH_TURN_GRANTS,
  TURN_GRANTS_PER_SEAT: BENCH_TURN_GRANTS,
} as const;

/** bcrypt cost of the bench's users: registering them is set-up, not what is measured. */
export const BENCH_BCRYPT_COST = 4;

export const RELAY = {
  pairs: 100,
  latencyRate: 1_000,
  latencyDurationMs: 8_000,
  stepRates: [2_000, 4_000, 6_000, 8_000, 12_000, 16_000, 20_000, 25_000, 30_000],
  stepDurationMs: 3_000,
  ceilingDurationMs: 5_000,
  ceilingWindow: 8,
  budgetPerTargetMs: 75_000,
} as const;

/**
 * Signaling's default per-socket token-bucket refill (services/signaling/src/config.ts,
 * SOCKET_RATE_LIMIT_PER_SECOND): the open-loop steps of the relay-paths phase stay under it, as
 * real clients do, even though the bench's stack runs with the limit raised.
 */
export const SIGNALING_DEFAULT_SOCKET_RATE_LIMIT = 30;

/**
 * Issue 14's comparison (the `relay-gateway` phase): every system through its nginx and directly.
 * 400 pairs carry 10,000 msg/s at 25 msg/s per sender, under the default limit; the ceiling keeps
 * 800 messages in flight, as the relay phase's 100 pairs × 8 do.
 */
export const RELAY_PATHS = {
  pairs: 400,
  latencyRate: 1_000,
  latencyDurationMs: 5_000,
  highRate: 10_000,
  highDurationMs: 5_000,
  ceilingDurationMs: 5_000,
  ceilingWindow: 2,
  perSocketLimit: SIGNALING_DEFAULT_SOCKET_RATE_LIMIT,
  budgetPerTargetMs: 60_000,
} as const;

export const IDLE = {
  levels: [1_000, 5_000, 10_000],
  concurrency: 100,
  settleMs: 2_000,
  budgetPerTargetMs: 75_000,
} as const;

export const JOIN = { joiners: 50, roomCapacity: 8, rounds: 20, budgetMs: 45_000 } as const;

export const RACE = { trials: 10_000, roomsInFlight: 250, racersPerRoom: 2, roomCapacity: 2, budgetMs: 200_000 } as const;

export const FIRST_FRAME = { trialsPerMode: 20, timeoutMs: 20_000, budgetMs: 120_000 } as const;

/**
 * The networks phase: `npm run bench -w @meshcall/networks` (three calls per scenario, four
 * scenarios, the stack started inside a namespace) within this budget. Measured 2026-12-06:
 * see bench/results/networks-first-frame.md. Added to the run budget (14.5 min before it).
 */
export const NETWORKS = { budgetMs: 4.5 * 60_000 } as const;

/** Auth's sign-in bench (`npm run bench:auth`), at bcrypt cost 12 and then 4; every phase bounded in count and time. */
export const AUTH_SIGN_IN = {
  /** Clients sending sign-ins at once: enough to keep both cores busy, few enough to stay a fair queue. */
  concurrency: 8,
  users: 8,
  warmupSignIns: 8,
  maxSignIns: 3_000,
  maxLoadMs: 30_000,
  /** One client at a time: latency without queueing, bounded like the load phase. */
  maxSequentialSignIns: 200,
  maxSequentialMs: 15_000,
  /** Sequential pairs comparing "unknown email" with "wrong password" response times. */
  timingPairs: 15,
} as const;

/** Rooms' list bench (`npm run bench:rooms`): `GET /` with 10,000 rooms seeded. */
export const ROOMS_LIST = {
  rooms: 10_000,
  publicShare: 0.8,
  closedShare: 0.05,
  occupiedRooms: 2_000,
  insertBatch: 1_000,
  warmupRequests: 3,
  measuredRequests: 40,
  /** Requests in flight at once: one per core of the 2-core reference machine, a steady load, not a stress test. */
  concurrency: 2,
  /** Each scenario stops after this long even if not every request was sent. */
  scenarioTimeLimitMs: 90_000,
  /** Samples per raw database operation timed beside the HTTP scenarios. */
  rawSamples: 5,
} as const;

/** The benches of one service each (`npm run bench:auth`, `bench:rooms`), run as child steps. */
export const CHILD_BENCHES = [
  { name: 'auth-sign-in', budgetMs: 180_000 },
  { name: 'rooms-list', budgetMs: 240_000 },
] as const;

/** Users the load generator signs up (sockets of one user are fine; tickets name the user). */
export const BENCH_USERS = 8;

/** Targets from the issue (loopback, this 2-core machine). */
export const TARGETS = {
  crossReplicaP50Ms: 0.5,
  crossReplicaP99Ms: 5,
  throughputPerS: 20_000,
  /** Issue 14 (was 20 KiB). */
  idleKiBPerConnection: 12,
  /** Issue 14 (was 25 ms). */
  joinP99Ms: 15,
  firstFrameMs: 1_500,
  relayConnectP95Ms: 150,
  /** Issue 14, through the gateway, meshcall ÷ the naive relay behind an identical nginx, same run. */
  gateway: { p50Ratio: 1.3, p99Ratio: 1.5, highStepDeliveredRatio: 1, highStepP99Ratio: 1, ceilingRatio: 1 },
  /** Issue 14: CPU per relayed signal through the gateway, replicas + Redis + gateway. */
  signalCpuMicroseconds: 30,
} as const;
