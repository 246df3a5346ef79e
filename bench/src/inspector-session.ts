import WebSocket from 'ws';

/** A DevTools-protocol session on one process's inspector: commands, and the events they stream. */
export interface InspectorSession {
  call(method: string, params?: object): Promise<Record<string, unknown>>;
  onEvent(method: string, listener: (params: Record<string, unknown>) => void): void;
  close(): void;
}

const COMMAND_TIMEOUT_MS = 60_000;

export async function openInspectorSession(inspectorUrl: string): Promise<InspectorSession> {
  // A heap snapshot arrives in chunks of up to a few MiB.
  const socket = new WebSocket(inspectorUrl, { maxPayload: 256 * 1024 * 1024 });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let nextId = 0;
  const pending = new Map<number, { resolve(result: Record<string, unknown>): void; reject(error: Error): void }>();
  const listeners = new Map<string, (params: Record<string, unknown>) => void>();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: { message: string } };
    if (message.method) {
      listeners.get(message.method)?.(message.params ?? {});
      return;
    }
    const waiting = message.id === undefined ? undefined : pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id as number);
    if (message.error) waiting.reject(new Error(message.error.message));
    else waiting.resolve(message.result ?? {});
  });
  return {
    call(method, params = {}) {
      return new Promise((resolve, reject) => {
        const id = ++nextId;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${method} timed out after ${COMMAND_TIMEOUT_MS} ms`));
        }, COMMAND_TIMEOUT_MS);
        pending.set(id, {
          resolve: (result) => {
            clearTimeout(timer);
            resolve(result);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        socket.send(JSON.stringify({ id, method, params }));
      });
    },
    onEvent(method, listener) {
      listeners.set(method, listener);
    },
    close() {
      socket.close();
    },
  };
}
