#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startStack, type Stack } from './stack.js';

const usage = `Usage: npm start [-- --fresh] [--signaling-replicas N]

Starts the whole meshcall stack as local processes and prints the URL once every health
check passes. Ctrl-C (or SIGTERM) stops every process it started.

  --fresh                  wipe the data folder first (users, rooms, keys)
  --signaling-replicas N   signaling replicas behind the gateway (default 2)
  --data-dir DIR           where data and logs live (default .data)

Environment: GATEWAY_PORT (default 8080), MONGO_URL, REDIS_URL (use these instead of starting
local servers), LOG_LEVEL, BCRYPT_COST.`;

function parseCli() {
  try {
    const { values } = parseArgs({
      options: {
        fresh: { type: 'boolean', default: false },
        'signaling-replicas': { type: 'string', default: '2' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
    const replicas = Number(values['signaling-replicas']);
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 16) {
      throw new Error('--signaling-replicas must be a whole number from 1 to 16');
    }
    return { fresh: values.fresh, replicas, dataDir: values['data-dir'], help: values.help };
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
  const bcryptCost = process.env.BCRYPT_COST ? Number(process.env.BCRYPT_COST) : undefined;
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
      signalingReplicas: args.replicas,
      ...(args.dataDir ? { dataDir: args.dataDir } : {}),
      ...(bcryptCost ? { bcryptCost } : {}),
      onProgress: (line) => console.log(`  · ${line}`),
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
  console.log(`meshcall is up at ${stack.gatewayUrl} (started in ${seconds} s; logs in ${stack.logDir})`);
}

void main();
