import { join } from 'node:path';
import { LocalComponent } from '../component.js';
import type { ServiceName } from '../repo.js';
import { httpOk } from '../wait.js';

/**
 * Node flags a service's process runs with, here and in its image (services/Dockerfile takes
 * them as the NODE_FLAGS build argument; docker-compose.yml passes the same, and a test keeps
 * the two equal). Signaling caps V8's young generation: on a machine with a few GiB to spare,
 * V8 lets each semi-space grow to 64 MiB (192 MiB of young generation per replica) as sockets
 * connect, which was half of what an idle connection seemed to cost; at 16 MiB (Node's former
 * default) a replica with 5,000 idle sockets takes about 70 MiB less, with no measurable change
 * in its CPU per signal (services/signaling/README.md, "Memory").
 */
export const SERVICE_NODE_FLAGS: Record<ServiceName, readonly string[]> = {
  auth: [],
  rooms: [],
  signaling: ['--max-semi-space-size=16'],
};

export interface ServiceOptions {
  /** Instance name ("auth", "signaling-2"), used for the log file too. */
  name: string;
  /** Which service the instance runs: picks its Node flags. */
  service: ServiceName;
  /** The built server entry (services/<name>/dist/server.js). */
  entry: string;
  port: number;
  env: NodeJS.ProcessEnv;
  logDir: string;
  readyTimeoutMs?: number | undefined;
}

/**
 * A Node service of ours as a local process. Ready when `/readyz` answers 200, i.e. once its own
 * dependencies answer too, so the launcher's "up" line means every piece really serves.
 */
export function serviceComponent(options: ServiceOptions): LocalComponent {
  return new LocalComponent({
    name: options.name,
    processOptions: () => ({
      name: options.name,
      command: process.execPath,
      args: ['--enable-source-maps', ...SERVICE_NODE_FLAGS[options.service], options.entry],
      env: { ...options.env, HOST: '127.0.0.1', PORT: String(options.port) },
      logFile: join(options.logDir, `${options.name}.log`),
      // The services finish in-flight requests within their own 10 s grace.
      stopTimeoutMs: 12_000,
    }),
    isReady: () => httpOk(`http://127.0.0.1:${options.port}/readyz`),
    readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
  });
}
