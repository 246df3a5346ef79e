/**
 * The MongoDB-wire server and Redis under the services, and the faults the scenarios inject into
 * them. The local environment lets the launcher run them as processes; the Testcontainers
 * environment runs them as containers and hands their URLs to the launcher.
 */
export interface BackingServices {
  /** Where MongoDB and Redis run, for the environment's one-line description. */
  readonly description: string;
  /** Variables for the launcher: MONGO_URL and REDIS_URL of servers it must not start itself. */
  readonly launcherEnv: Record<string, string>;
  restartRedis(): Promise<void>;
  freezeRedis(ms: number): Promise<void>;
  stopMongo(): Promise<void>;
  startMongo(): Promise<void>;
  /** Stops and starts both servers with their data, between the services' stop and start. */
  restartBetweenStacks(): Promise<void>;
  /** Removes everything the backing services created. */
  dispose(): Promise<void>;
}
