#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError } from '@meshcall/shared';
import { COMPOSE_ONLY_GATEWAY_VARIABLES, LAUNCHER_VARIABLES, readLauncherSettings } from './settings.js';
import { LAUNCHER_MAX_TURN_SERVERS, startStack, type Stack } from './stack.js';
import { DEFAULT_SUPERVISION, formatSupervisionEvent } from './supervision.js';

// engines asks for Node 24 LTS, which `npm run setup` installs; a machine's older Node (its own
// Node 20 before setup) stops here with the way out instead of failing somewhere in a service.
const REQUIRED_NODE_MAJOR = 24;
if (Number(process.versions.node.split('.')[0]) < REQUIRED_NODE_MAJOR) {
  console.error(`meshcall runs on Node.js ${REQUIRED_NODE_MAJOR} LTS; this is ${process.version}. Run \`npm run setup\` (it installs Node ${REQUIRED_NODE_MAJOR}) and start again.`);
  process.exit(2);
}

function columns(rows: Array<[string, string, string]>): string {
  const first = Math.max(...rows.map(([a]) => a.length));
  const second = Math.max(...rows.map(([, b]) => b.length));
  return rows.map(([a, b, c]) => `  ${a.padEnd(first)}  ${b.padEnd(second)}  ${c}`).join('\n');
}

const restarts = (() => {
  const { initialBackoffMs, maxBackoffMs, maxFailures, windowMs } = DEFAULT_SUPERVISION;
  return `after ${initialBackoffMs / 1000} s, then twice as long each time (at most ${maxBackoffMs / 1000} s), and is given up on after ${maxFailures} failures within ${windowMs / 1000} s`;
})();

/** Breaks a paragraph into lines of at most `width` characters. */
function wrap(text: string, width = 96): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return [...lines, line].join('\n');
}

const usage = `Usage: npm start [-- --fresh] [--signaling-replicas N] [--turn-servers N] [--data-dir DIR] [--tls]

${wrap(`Starts the whole meshcall stack as local processes and prints the URL once every health check passes. Ctrl-C (or SIGTERM) stops every process it started. A piece that dies on its own is restarted on the same port ${restarts}; the rest of the stack keeps running either way, and the console says which piece died, why, and when it is back.`)}

Options:
${columns([
  ['--fresh', '', 'wipe the data folder first (users, rooms, keys)'],
  ['--signaling-replicas N', 'default 2', 'signaling replicas behind the gateway, 1 to 16'],
  ['--turn-servers N', 'default 1', `coturns sharing the TURN secret, 1 to ${LAUNCHER_MAX_TURN_SERVERS}; rooms hands out one per room`],
  ['--data-dir DIR', 'default .data', 'where data and logs live'],
  ['--tls', '', 'also serve HTTPS/WSS on GATEWAY_TLS_PORT (compose: infra/docker-compose.tls.yml)'],
  ['--redis-cluster', '', 'a six-node Redis Cluster (3 masters, 3 replicas) on loopback instead of one redis-server'],
  ['-h, --help', '', 'this text'],
])}

Environment (the names docker-compose.yml and .env.example use; empty means the default):
${columns(LAUNCHER_VARIABLES.map((v) => [v.name, `default ${v.fallback}`, v.meaning]))}

Read by docker compose only:
${COMPOSE_ONLY_GATEWAY_VARIABLES.map((entry) => `  ${entry.names.join(', ')}: ${entry.why}`).join('\n')}`;

function parseCli() {
  try {
    const { values } = parseArgs({
      options: {
        fresh: { type: 'boolean', default: false },
        tls: { type: 'boolean', default: false },
        'redis-cluster': { type: 'boolean', default: false },
        'signaling-replicas': { type: 'string', default: '2' },
        'turn-servers': { type: 'string', default: '1' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
    const replicas = Number(values['signaling-replicas']);
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 16) {
      throw new Error('--signaling-replicas must be a whole number from 1 to 16');
    }
    const turnServers = Number(values['turn-servers']);
    if (!Number.isInteger(turnServers) || turnServers < 1 || turnServers > LAUNCHER_MAX_TURN_SERVERS) {
      throw new Error(`--turn-servers must be a whole number from 1 to ${LAUNCHER_MAX_TURN_SERVERS}`);
    }
    return { fresh: values.fresh, tls: values.tls, redisCluster: values['redis-cluster'], replicas, turnServers, dataDir: values['data-dir'], help: values.help };
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const args = parseCli();
  if (args.help) {
    console.log(usage);
    return;
  }
  try {
    // Checked before anything starts, every bad variable named at once (startStack reads them too).
    readLauncherSettings(process.env, { tls: args.tls });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${error.message}\n\nRun \`npm start -- --help\` for every variable and its default.`);
    process.exit(2);
  }
  let stack: Stack | undefined;
  let stopping = false;
  const startUp = new AbortController();
  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${reason}: stopping every process…`);
    if (!stack) {
      // Still starting: startStack stops what it started and rejects; main() then exits.
      startUp.abort(new Error(`${reason} during start-up`));
      return;
    }
    await stack.stop();
    console.log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('interrupted'));
  process.on('SIGTERM', () => void shutdown('terminated'));

  const started = Date.now();
  try {
    stack = await startStack({
      fresh: args.fresh,
      tls: args.tls,
      redisCluster: args.redisCluster,
      signalingReplicas: args.replicas,
      turnServers: args.turnServers,
      ...(args.dataDir ? { dataDir: args.dataDir } : {}),
      onProgress: (line) => console.log(`  · ${line}`),
      onSupervision: (event) => {
        const message = formatSupervisionEvent(event);
        if (event.kind === 'back') console.log(message);
        else console.error(message);
      },
      signal: startUp.signal,
    });
  } catch (error) {
    if (stopping) {
      console.log('stopped.');
      process.exit(0);
    }
    console.error(`\nThe stack did not start: ${(error as Error).message}`);
    process.exit(1);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (stack.skipped.length > 0) console.log(`  (not started: ${stack.skipped.join(', ')})`);
  const at = stack.tlsUrl ? `${stack.gatewayUrl} and ${stack.tlsUrl}` : stack.gatewayUrl;
  console.log(`meshcall is up at ${at} (started in ${seconds} s; logs in ${stack.logDir})`);
}

void main();
