import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';

/**
 * Node only, so it is a subpath of its own (`@meshcall/shared/stun-binding`) that the web never
 * bundles. The launcher waits for coturn with it and rooms checks the health of every TURN server
 * it hands out with it: one STUN client for both.
 */

/** STUN Binding request (RFC 8489 §5): message type 0x0001, no attributes. */
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const MAGIC_COOKIE = Buffer.from([0x21, 0x12, 0xa4, 0x42]);

/**
 * Sends one STUN Binding request over UDP and resolves true on a Binding success response with
 * the same transaction id within `timeoutMs`; false on silence, an error or anything else. Never
 * rejects. `host` is an IP address or a name the system resolves.
 */
export function stunBindingOk(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  const transactionId = randomBytes(12);
  const header = Buffer.alloc(8);
  header.writeUInt16BE(BINDING_REQUEST, 0);
  MAGIC_COOKIE.copy(header, 4);
  const request = Buffer.concat([header, transactionId]);
  return new Promise((resolve) => {
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    const timer = setTimeout(() => finish(false), timeoutMs);
    let finished = false;
    function finish(ok: boolean) {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    }
    socket.on('message', (message) => {
      finish(message.length >= 20 && message.readUInt16BE(0) === BINDING_SUCCESS && message.subarray(8, 20).equals(transactionId));
    });
    socket.on('error', () => finish(false));
    socket.send(request, port, host, (error) => {
      if (error) finish(false);
    });
  });
}
