/**
 * The IPC side of a peer server run as a child process of the bench: it announces its port once
 * listening, answers memory questions with its own heap (RSS is read from /proc by the parent,
 * like for meshcall's replicas), and exits when the parent goes away.
 */
export interface ChildMessage {
  type: 'ready' | 'memory';
  port?: number;
  heapUsedBytes?: number;
}

export function serveAsChild(port: number): void {
  const send = (message: ChildMessage) => process.send?.(message);
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'memory') send({ type: 'memory', heapUsedBytes: process.memoryUsage().heapUsed });
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', port });
}
