/**
 * The sum of every sample of `metric` in Prometheus text exposition, whatever its labels
 * (`signaling_connected_sockets{service="signaling"} 3`). Undefined when the metric is absent.
 */
export function sampleSum(exposition: string, metric: string): number | undefined {
  let sum: number | undefined;
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line.trim());
    if (!match || match[1] !== metric) continue;
    sum = (sum ?? 0) + Number(match[3]);
  }
  return sum;
}

/** Connected Socket.IO sockets on one signaling replica, read from its own /metrics. */
export async function connectedSockets(replicaUrl: string): Promise<number> {
  const response = await fetch(`${replicaUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
  if (response.status !== 200) throw new Error(`${replicaUrl}/metrics answered ${response.status}`);
  const value = sampleSum(await response.text(), 'signaling_connected_sockets');
  if (value === undefined) throw new Error(`${replicaUrl}/metrics has no signaling_connected_sockets`);
  return value;
}

/** Connected sockets per replica, in replica order. */
export function connectedSocketsPerReplica(replicaUrls: string[]): Promise<number[]> {
  return Promise.all(replicaUrls.map((url) => connectedSockets(url)));
}
