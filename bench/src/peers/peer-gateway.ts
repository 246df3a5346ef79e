import { join } from 'node:path';
import { findFreePort, gatewayComponent, type LocalComponent } from '@meshcall/stack';
import { onInterrupt } from '../interrupt.js';
import type { MeteredProcess } from '../process-memory.js';

/**
 * An nginx in front of a peer server, identical to meshcall's gateway: the launcher's own
 * gatewayComponent renders the same infra/nginx template and snippets (one worker, the same
 * WebSocket proxy settings, the same /socket.io/ location and upstream pool), with the peer
 * server as the only signaling upstream. So "through the gateway" costs the peers exactly the
 * proxy hop it costs meshcall. The peer servers are named in every upstream the template needs;
 * only /socket.io/ carries the bench's traffic (PeerJS is mounted under /socket.io for that).
 */
export class PeerGateway {
  private constructor(
    readonly name: string,
    private readonly component: LocalComponent,
    readonly url: string,
    private readonly releaseOnInterrupt: () => void,
  ) {}

  static async start(name: string, upstreamPort: number, dir: string): Promise<PeerGateway> {
    const port = await findFreePort('127.0.0.1');
    const upstream = `127.0.0.1:${upstreamPort}`;
    const component = gatewayComponent({
      port,
      upstreams: { auth: [upstream], rooms: [upstream], signaling: [upstream], web: upstream },
      runDir: join(dir, name, 'run'),
      logDir: join(dir, name, 'logs'),
    });
    // nginx runs in a process group of its own: an interrupted bench stops it (from its start on).
    const release = onInterrupt(() => component.stop());
    try {
      await component.start();
    } catch (error) {
      release();
      throw error;
    }
    return new PeerGateway(name, component, `http://127.0.0.1:${port}`, release);
  }

  /** The nginx master and (read when a meter starts) its worker. */
  process(): MeteredProcess {
    const pid = this.component.process?.pid;
    if (pid === undefined) throw new Error(`${this.name} has no pid`);
    return { name: this.name, pid, withChildren: true };
  }

  stop(): Promise<void> {
    this.releaseOnInterrupt();
    return this.component.stop();
  }
}
