import { startStack, type Stack } from '@meshcall/stack';
import { BENCH_BCRYPT_COST, BENCH_SERVICE_ENV } from './config.js';
import { onInterrupt } from './interrupt.js';

/**
 * The stack every measurement runs on: a fresh launcher stack with two signaling replicas and the
 * bench's service settings, so the bench and the profiler always measure the same configuration.
 * Interrupted (Ctrl-C) while it starts or runs, it is stopped before the bench exits; its
 * `stop()` hands that duty back to the caller.
 */
export async function startBenchStack(dataDir: string, options: { serviceEnv?: Record<string, string>; onProgress?: (line: string) => void } = {}): Promise<Stack> {
  const startUp = new AbortController();
  const starting = startStack({
    dataDir,
    fresh: true,
    gatewayPort: 0,
    bcryptCost: BENCH_BCRYPT_COST,
    signalingReplicas: 2,
    // Nothing of the shell's MONGO_URL/REDIS_URL: the launcher starts its own servers.
    env: { PATH: process.env.PATH },
    serviceEnv: { ...BENCH_SERVICE_ENV, ...options.serviceEnv },
    onProgress: options.onProgress,
    signal: startUp.signal,
  });
  // Aborted, the launcher stops what it has started and rejects; if it had just finished, the stack is stopped here.
  const release = onInterrupt(async () => {
    startUp.abort(new Error('interrupted while the stack was starting'));
    await (await starting.catch(() => undefined))?.stop();
  });
  try {
    const stack = await starting;
    return {
      ...stack,
      stop: () => {
        release();
        return stack.stop();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}
