import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { packageVersion } from './package-dir.js';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  /** Open-file limit this run had (each socket is a file descriptor on both ends). */
  openFileLimit: number;
  loadAverage1m: number;
}

export function machineInfo(): MachineInfo {
  const cpu = cpus();
  const limit = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim();
  return {
    cpuModel: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()}`,
    openFileLimit: limit === 'unlimited' ? Number.POSITIVE_INFINITY : Number(limit),
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** First match of `pattern` in a command's stdout+stderr (nginx prints its version to stderr). */
export function commandVersion(command: string, args: string[], pattern: RegExp): string {
  try {
    const run = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
    return pattern.exec(`${run.stdout ?? ''}${run.stderr ?? ''}`)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function versions(): Record<string, string> {
  return {
    node: process.version,
    'socket.io': packageVersion('socket.io'),
    'socket.io-client': packageVersion('socket.io-client'),
    '@socket.io/redis-adapter': packageVersion('@socket.io/redis-adapter'),
    ioredis: packageVersion('ioredis'),
    redis: commandVersion('redis-server', ['--version'], /v=(\S+)/),
    nginx: commandVersion('nginx', ['-v'], /nginx\/(\S+)/),
    coturn: commandVersion('turnserver', ['--version'], /(\d+\.\d+\.\d+\S*)/),
    ferretdb: commandVersion('ferretdb', ['--version'], /version:\s*(\S+)/),
    peer: packageVersion('peer'),
    ws: packageVersion('ws'),
    'playwright-core': packageVersion('playwright-core'),
    chromium: (() => {
      try {
        return execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      } catch {
        return 'unknown';
      }
    })(),
  };
}
