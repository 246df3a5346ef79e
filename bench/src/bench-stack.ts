import { startStack, type Stack } from '@meshcall/stack';
import { BENCH_BCRYPT_COST, BENCH_SERVICE_ENV } from './config.js';

/**
 * The stack every measurement runs on: a fresh launcher stack with two signaling replicas and the
 * bench's service settings, so the bench and the profiler always measure the same configuration.
 */
export function startBenchStack(dataDir: string, options: { serviceEnv?: Record<string, string>; onProgress?: (line: string) => void } = {}): Promise<Stack> {
  return startStack({
    dataDir,
    fresh: true,
    gatewayPort: 0,
    bcryptCost: BENCH_BCRYPT_COST,
    signalingReplicas: 2,
    // Nothing of the shell's MONGO_URL/REDIS_URL: the launcher starts its own servers.
    env: { PATH: process.env.PATH },
    serviceEnv: { ...BENCH_SERVICE_ENV, ...options.serviceEnv },
    onProgress: options.onProgress,
  });
}
