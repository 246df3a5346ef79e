import { CallParticipant } from '../../src/client/signaling-client.js';
import { connectedSocketsPerReplica } from '../../src/client/prometheus.js';
import { eventually } from '../../src/support/eventually.js';
import type { TestEnvironment } from '../../src/environment/index.js';

/** Connects through the gateway and finds out, from the replicas' own metrics, which one took it. */
export async function connectAndLocate(environment: TestEnvironment, token: string): Promise<{ participant: CallParticipant; replica: number }> {
  const replicas = environment.urls.signaling;
  const before = await connectedSocketsPerReplica(replicas);
  const participant = await CallParticipant.connect(environment.gatewayUrl, token);
  try {
    const after = await eventually(
      'the replica that took the new socket',
      () => connectedSocketsPerReplica(replicas),
      (counts) => counts.filter((count, i) => count > (before[i] ?? 0)).length === 1,
      { timeoutMs: 5_000, intervalMs: 50 },
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
 * the next one lands on the emptier replica; the extras are closed before returning.
 */
export async function connectOnReplica(environment: TestEnvironment, token: string, wanted: number, maxAttempts = 6): Promise<CallParticipant> {
  const extras: CallParticipant[] = [];
  try {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const { participant, replica } = await connectAndLocate(environment, token);
      if (replica === wanted) return participant;
      extras.push(participant);
    }
    throw new Error(`no socket landed on signaling replica ${wanted} in ${maxAttempts} attempts`);
  } finally {
    for (const extra of extras) extra.close();
  }
}
