import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

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
  async run(redis: Redis, keys: string[], argv: Array<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...argv);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return redis.eval(this.source, keys.length, ...keys, ...argv);
      throw error;
    }
  }
}
