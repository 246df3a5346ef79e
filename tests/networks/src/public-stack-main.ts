/**
 * Runs inside the public namespace (`ip netns exec mcnet-pub node --import tsx ...`): starts the
 * whole stack with the launcher, as a deployment would, at the namespace's public address, prints
 * one JSON line once it is up and stops it when stdin closes or on SIGTERM. A separate process,
 * because a process cannot move itself into a network namespace; everything the launcher starts
 * inherits this one's.
 */
import { startStack } from '@meshcall/stack';

interface Arguments {
  dataDir: string;
  certDir: string;
  address: string;
  peerOverlay: string;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Arguments;
const origin = `https://${args.address}`;
const stack = await startStack({
  fresh: true,
  dataDir: args.dataDir,
  tls: true,
  bcryptCost: 4,
  turnAddress: args.address,
  turnPeerOverlays: [args.peerOverlay],
  // Logged in the parent's output when start-up fails, so a failure names its piece.
  onProgress: (line) => process.stderr.write(`stack: ${line}\n`),
  env: {
    ...process.env,
    // The public face as a deployment has it: HTTP on 80, HTTPS and TURNS sharing 443.
    GATEWAY_BIND: args.address,
    GATEWAY_PORT: '80',
    GATEWAY_TLS_PORT: '443',
    TLS_CERT_DIR: args.certDir,
    ALLOWED_ORIGINS: `${origin},http://${args.address}`,
    LOG_LEVEL: 'warn',
  },
});
process.stdout.write(`${JSON.stringify({ ready: true, turnPort: stack.turn.port, logDir: stack.logDir })}\n`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await stack.stop();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
