import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';
import { isCluster, masterConnectionOf, type RedisClient } from '@meshcall/server-kit';

/**
 * The source of a `.lua` file beside the calling module (`new URL('./x.lua', import.meta.url)`).
 * The build copies them into dist/ next to the compiled modules; each is read once, when its
 * module is first imported at startup, so a missing file stops the replica before it serves.
 */
export function readLua(file: URL): string {
  return readFileSync(file, 'utf8');
}

/**
 * `local NAME = value` lines for constants the TypeScript side owns (channel names, TTLs), put
 * before a script's source so that both sides read them from one place.
 */
export function luaConstants(constants: Record<string, string | number>): string {
  return Object.entries(constants)
    .map(([name, value]) => {
      if (typeof value === 'number') return `local ${name} = ${value}`;
      if (!/^[\w:.{}|-]*$/.test(value)) throw new Error(`constant ${name} needs quoting beyond a plain Lua string`);
      return `local ${name} = '${value}'`;
    })
    .join('\n');
}

/**
 * On a Redis Cluster a script's writes are acknowledged to the caller only once the shard's
 * replica has them (WAIT), or after this long without it. Replication is asynchronous: without
 * the wait, a master killed right after a script would take its last writes with it, and the
 * promoted replica would hand out a signal number already used (its recipient's replica then
 * drops the new signal as a repeat) or forget a seat (and let one joiner too many in). A shard
 * whose replica is down pays this bound once, then is not waited on for NO_REPLICA_RECHECK_MS.
 */
export const REPLICA_ACK_TIMEOUT_MS = 20;
/** How long a master whose WAIT found no replica is left unwaited on before asking again. */
const NO_REPLICA_RECHECK_MS = 1_000;
const mastersWithoutReplica = new WeakMap<Redis, number>();

/** A Lua script run by its SHA, so Redis parses it once, not per call. */
export class LuaScript {
  readonly sha: string;

  constructor(
    readonly name: string,
    readonly source: string,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** EVALSHA, falling back to EVAL when Redis does not know the script (first use, or after a restart emptied its script cache). */
  async run(redis: RedisClient, keys: string[], argv: Array<string | number>): Promise<unknown> {
    return isCluster(redis) ? this.runReplicated(redis, keys, argv) : this.runOnce(redis, keys, argv);
  }

  private async runOnce(redis: RedisClient, keys: string[], argv: Array<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...argv);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return redis.eval(this.source, keys.length, ...keys, ...argv);
      throw error;
    }
  }

  /**
   * The script as one command (the cluster client follows a moved slot and waits out a
   * failover), then WAIT on the same connection to the slot's master, which covers the writes it
   * just made. A master with no replica (its replica was promoted when it died, and it has not
   * come back) is not waited on again for a while: there is nothing to wait for.
   */
  private async runReplicated(cluster: Cluster, keys: string[], argv: Array<string | number>): Promise<unknown> {
    const reply = await this.runOnce(cluster, keys, argv);
    const master = keys[0] === undefined ? undefined : masterConnectionOf(cluster, keys[0]);
    if (master && (mastersWithoutReplica.get(master) ?? 0) <= Date.now()) {
      const replicas = await master.wait(1, REPLICA_ACK_TIMEOUT_MS);
      if (replicas === 0) mastersWithoutReplica.set(master, Date.now() + NO_REPLICA_RECHECK_MS);
    }
    return reply;
  }
}
