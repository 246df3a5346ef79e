import { join } from 'node:path';
import { LocalComponent } from '../component.js';
import { httpOk } from '../wait.js';

export interface ServiceOptions {
  /** Instance name ("auth", "signaling-2"), used for the log file too. */
  name: string;
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
      args: ['--enable-source-maps', options.entry],
      env: { ...options.env, HOST: '127.0.0.1', PORT: String(options.port) },
      logFile: join(options.logDir, `${options.name}.log`),
      // The services finish in-flight requests within their own 10 s grace.
      stopTimeoutMs: 12_000,
    }),
    isReady: () => httpOk(`http://127.0.0.1:${options.port}/readyz`),
    readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
  });
}
