import { connect } from 'node:net';
import { join } from 'node:path';
import { LocalComponent } from '../component.js';

/** Sends PING in RESP and resolves true on +PONG: a listening socket alone is not "ready" (loading). */
export async function redisPing(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const timer = setTimeout(() => finish(false), 2000);
    function finish(ok: boolean) {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    }
    socket.once('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.once('data', (data) => finish(data.toString().startsWith('+PONG')));
    socket.once('error', () => finish(false));
  });
}

export interface RedisOptions {
  port: number;
  dataDir: string;
  logDir: string;
  /** Names the piece and its log (`redis` by default; the cluster's nodes are `redis-7001`...). */
  name?: string;
  /** More redis-server options, after the ones every meshcall Redis has. */
  extraArgs?: string[];
}

/**
 * Debian's redis-server on loopback. Live state only (seats, chat of open rooms, game boards,
 * rate counters), so it keeps an append-only file in the data folder and nothing else.
 */
export function redisComponent(options: RedisOptions): LocalComponent {
  const name = options.name ?? 'redis';
  return new LocalComponent({
    name,
    processOptions: () => ({
      name,
      command: 'redis-server',
      args: [
        '--port', String(options.port),
        '--bind', '127.0.0.1',
        '--dir', options.dataDir,
        '--appendonly', 'yes',
        '--save', '',
        '--daemonize', 'no',
        '--logfile', '',
        ...(options.extraArgs ?? []),
      ],
      logFile: join(options.logDir, `${name}.log`),
    }),
    isReady: () => redisPing(options.port),
  });
}
