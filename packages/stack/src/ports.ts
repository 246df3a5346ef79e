import { connect, createServer } from 'node:net';

/**
 * Asks the kernel for a free TCP port on the host. There is a window between closing this probe
 * and the real server binding, so callers that can race (several launchers at once) must treat
 * EADDRINUSE at start-up as "pick again", which `startManaged` reports clearly.
 */
export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the probe port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/** True when something accepts TCP connections on host:port. */
export async function isPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Fails with a clear message when the port is taken (the launcher's own gateway port, for one). */
export async function assertPortFree(port: number, what: string, host = '127.0.0.1'): Promise<void> {
  if (await isPortOpen(port, host)) {
    throw new Error(`${what}: port ${host}:${port} is already in use; stop whatever holds it or choose another port`);
  }
}
