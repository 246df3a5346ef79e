import { setTimeout as sleep } from 'node:timers/promises';
import { CallParticipant } from '../../src/client/signaling-client.js';
import { connectedSocketsPerReplica } from '../../src/client/prometheus.js';
import { eventually } from '../../src/support/eventually.js';
import type { TestEnvironment } from '../../src/environment/index.js';

/** Sockets kept open at most to tip least_conn towards the wanted replica. */
const MAX_EXTRA_SOCKETS = 4;

/**
 * Socket counts once no earlier socket is still closing: a count that drops while the new socket
 * arrives on the same replica would hide which replica took it.
 */
async function settledSocketCounts(replicas: string[]): Promise<number[]> {
  let previous = await connectedSocketsPerReplica(replicas);
  const reading = await eventually(
    'socket counts to settle',
    async () => {
      await sleep(150);
      const current = await connectedSocketsPerReplica(replicas);
      const settled = current.every((count, i) => count === previous[i]);
      previous = current;
      return { settled, current };
    },
    (candidate) => candidate.settled,
    { timeoutMs: 10_000, intervalMs: 0 },
  );
  return reading.current;
}

/**
 * Connects through the gateway (naming `roomId` in the handshake, as the web client does, when
 * given) and finds out, from the replicas' own metrics, which one took it.
 */
export async function connectAndLocate(
  environment: TestEnvironment,
  token: string,
  options: { roomId?: string } = {},
): Promise<{ participant: CallParticipant; replica: number }> {
  const replicas = environment.urls.signaling;
  const before = await settledSocketCounts(replicas);
  const participant = await CallParticipant.connect(environment.gatewayUrl, token, options);
  try {
    const after = await eventually(
      'the replica that took the new socket',
      () => connectedSocketsPerReplica(replicas),
      (counts) => counts.filter((count, i) => count > (before[i] ?? 0)).length === 1,
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    return { participant, replica: after.findIndex((count, i) => count > (before[i] ?? 0)) };
  } catch (error) {
    participant.close();
    throw error;
  }
}

/**
 * Connects a socket that lands on replica `wanted`. The gateway balances WebSocket sessions with
 * least_conn, so a socket that lands elsewhere is kept open for a moment (it tips the balance) and
 * a later one lands on the emptier replica; the extras are closed before returning. A replica that
 * was just restarted may be skipped by nginx for a few seconds after its failure, hence the deadline.
 */
export async function connectOnReplica(environment: TestEnvironment, token: string, wanted: number, timeoutMs = 20_000): Promise<CallParticipant> {
  const extras: CallParticipant[] = [];
  const deadline = Date.now() + timeoutMs;
  try {
    for (let attempt = 1; ; attempt++) {
      const { participant, replica } = await connectAndLocate(environment, token);
      if (replica === wanted) return participant;
      if (extras.length < MAX_EXTRA_SOCKETS) extras.push(participant);
      else participant.close();
      if (Date.now() >= deadline) throw new Error(`no socket landed on signaling replica ${wanted} in ${attempt} attempts over ${timeoutMs} ms`);
      await sleep(250);
    }
  } finally {
    for (const extra of extras) extra.close();
  }
}
