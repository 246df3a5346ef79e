import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';

/**
 * A minimal TURN client (RFC 8656 over UDP or TLS, RFC 8489 long-term credentials) that only asks:
 * Allocate, CreatePermission and Refresh. It never sends a Send indication or ChannelData, so
 * it cannot make a relay emit a single packet: checking which peers coturn would relay to is
 * safe even for public addresses. turnutils_uclient cannot do that (it always sends data
 * through the channel it binds), and no maintained npm package does Allocate + CreatePermission.
 */

const MAGIC_COOKIE = 0x2112a442;
const HEADER_LENGTH = 20;

const Method = { allocate: 0x003, refresh: 0x004, createPermission: 0x008 } as const;
type MethodName = keyof typeof Method;
/** Class bits of a STUN message type: response types are the method plus these. */
const SUCCESS = 0x0100;
const ERROR = 0x0110;

const Attr = {
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  lifetime: 0x000d,
  xorPeerAddress: 0x0012,
  realm: 0x0014,
  nonce: 0x0015,
  xorRelayedAddress: 0x0016,
  requestedAddressFamily: 0x0017,
  requestedTransport: 0x0019,
} as const;

const UDP = 17;
/** The 5-tuple already holds an allocation (RFC 8656 §7.3). */
const ALLOCATION_MISMATCH = 437;

export interface TurnServerAddress {
  host: string;
  port: number;
}

/**
 * TURN over TLS (`turns:`), as a browser opens it. The relay asked for is still UDP
 * (REQUESTED-TRANSPORT), as WebRTC asks: only the client's leg to the server is TLS.
 */
export interface TurnTlsOptions {
  /** The CA that signed the server's certificate (PEM); the system's CAs when unset. */
  ca?: string | Buffer;
  /**
   * ALPN protocols offered in the ClientHello; none by default, as Chromium's TURN client offers
   * none. An edge that routes TLS by ALPN (infra/nginx/tls/stream) sends a TURN client that
   * offers no HTTP protocol on to coturn.
   */
  alpnProtocols?: string[];
  /** SNI and the name checked against the certificate; the host when unset (no SNI for an IP). */
  servername?: string;
}

export interface TurnClientOptions {
  /** Speak TLS over TCP instead of UDP. */
  tls?: TurnTlsOptions;
  /**
   * Over UDP, the local port of the first socket (any free one by default). A test picks the
   * port of a client that went away to play a NAT handing out a used address.
   */
  udpLocalPort?: number;
}

/** Where STUN messages go and come from: a UDP socket, or a TLS stream framed by STUN's header length. */
interface StunTransport {
  /** True when the transport delivers or fails by itself (TLS): a request is sent once, never retried. */
  readonly reliable: boolean;
  /** The UDP socket's local port; undefined over TLS. */
  readonly localPort?: number;
  send(packet: Buffer): void;
  close(): void;
}

/** TURN REST API credentials as rooms issues them: `expiry:userId` and its HMAC. */
export interface TurnRestCredentials {
  username: string;
  credential: string;
}

export type TurnFailure = { ok: false; code: number; reason: string };
export type AllocateResult = { ok: true; relayed: { address: string; port: number }; lifetimeSeconds: number } | TurnFailure;
export type PermissionResult = { ok: true } | TurnFailure;

interface Attribute {
  type: number;
  value: Buffer;
}

interface StunMessage {
  type: number;
  transactionId: Buffer;
  attributes: Attribute[];
}

function ipv4Bytes(address: string): Buffer {
  return Buffer.from(address.split('.').map((part) => Number.parseInt(part, 10)));
}

/** IPv6 text (including `::` and a trailing dotted IPv4 part) to its 16 bytes. */
export function ipv6Bytes(address: string): Buffer {
  if (!isIPv6(address)) throw new Error(`not an IPv6 address: ${address}`);
  const groupsOf = (text: string): number[] =>
    text === ''
      ? []
      : text.split(':').flatMap((group) => {
          if (!group.includes('.')) return [Number.parseInt(group, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = ipv4Bytes(group);
          return [(a << 8) | b, (c << 8) | d];
        });
  const [head = '', tail] = address.split('::');
  const front = groupsOf(head);
  const back = tail === undefined ? [] : groupsOf(tail);
  const groups = [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
  const bytes = Buffer.alloc(16);
  groups.forEach((group, index) => bytes.writeUInt16BE(group, index * 2));
  return bytes;
}

function formatIpv6(bytes: Buffer): string {
  const groups: string[] = [];
  for (let index = 0; index < 16; index += 2) groups.push(bytes.readUInt16BE(index).toString(16));
  return groups.join(':');
}

function encodeXorAddress(address: string, port: number, transactionId: Buffer): Buffer {
  const v4 = isIPv4(address);
  if (!v4 && !isIPv6(address)) throw new Error(`not an IP address: ${address}`);
  const raw = v4 ? ipv4Bytes(address) : ipv6Bytes(address);
  const mask = Buffer.alloc(16);
  mask.writeUInt32BE(MAGIC_COOKIE, 0);
  transactionId.copy(mask, 4);
  const value = Buffer.alloc(4 + raw.length);
  value[1] = v4 ? 0x01 : 0x02;
  value.writeUInt16BE(port ^ (MAGIC_COOKIE >>> 16), 2);
  for (let index = 0; index < raw.length; index += 1) value[4 + index] = (raw[index] ?? 0) ^ (mask[index] ?? 0);
  return value;
}

function decodeXorAddress(value: Buffer, transactionId: Buffer): { address: string; port: number } {
  const mask = Buffer.alloc(16);
  mask.writeUInt32BE(MAGIC_COOKIE, 0);
  transactionId.copy(mask, 4);
  const length = value[1] === 0x01 ? 4 : 16;
  const raw = Buffer.alloc(length);
  for (let index = 0; index < length; index += 1) raw[index] = (value[4 + index] ?? 0) ^ (mask[index] ?? 0);
  const port = value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
  return { address: length === 4 ? [...raw].join('.') : formatIpv6(raw), port };
}

function uint32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value, 0);
  return buffer;
}

function encodeAttributes(attributes: Attribute[]): Buffer {
  return Buffer.concat(
    attributes.map(({ type, value }) => {
      const header = Buffer.alloc(4);
      header.writeUInt16BE(type, 0);
      header.writeUInt16BE(value.length, 2);
      return Buffer.concat([header, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
    }),
  );
}

function header(type: number, bodyLength: number, transactionId: Buffer): Buffer {
  const buffer = Buffer.alloc(HEADER_LENGTH);
  buffer.writeUInt16BE(type, 0);
  buffer.writeUInt16BE(bodyLength, 2);
  buffer.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(buffer, 8);
  return buffer;
}

/**
 * Encodes a request; with `integrityKey`, appends MESSAGE-INTEGRITY (RFC 8489 §14.5): HMAC-SHA1
 * over the message up to that attribute, with the header length already counting it.
 */
function encodeRequest(type: number, transactionId: Buffer, attributes: Attribute[], integrityKey?: Buffer): Buffer {
  const body = encodeAttributes(attributes);
  if (!integrityKey) return Buffer.concat([header(type, body.length, transactionId), body]);
  const withIntegrityLength = body.length + 24;
  const signed = Buffer.concat([header(type, withIntegrityLength, transactionId), body]);
  const hmac = createHmac('sha1', integrityKey).update(signed).digest();
  return Buffer.concat([signed, encodeAttributes([{ type: Attr.messageIntegrity, value: hmac }])]);
}

function decodeMessage(packet: Buffer): StunMessage | undefined {
  if (packet.length < HEADER_LENGTH || packet.readUInt32BE(4) !== MAGIC_COOKIE) return undefined;
  const length = packet.readUInt16BE(2);
  if (HEADER_LENGTH + length > packet.length) return undefined;
  const attributes: Attribute[] = [];
  let offset = HEADER_LENGTH;
  while (offset + 4 <= HEADER_LENGTH + length) {
    const type = packet.readUInt16BE(offset);
    const size = packet.readUInt16BE(offset + 2);
    attributes.push({ type, value: packet.subarray(offset + 4, offset + 4 + size) });
    offset += 4 + size + ((4 - (size % 4)) % 4);
  }
  return { type: packet.readUInt16BE(0), transactionId: packet.subarray(8, 20), attributes };
}

function attribute(message: StunMessage, type: number): Buffer | undefined {
  return message.attributes.find((item) => item.type === type)?.value;
}

function failureOf(message: StunMessage): TurnFailure {
  const value = attribute(message, Attr.errorCode);
  if (!value || value.length < 4) return { ok: false, code: 0, reason: 'error response without ERROR-CODE' };
  return { ok: false, code: (value[2] ?? 0) * 100 + (value[3] ?? 0), reason: value.subarray(4).toString('utf8') };
}

/**
 * One 5-tuple towards a TURN server (a UDP socket, or one TLS connection), hence at most one
 * allocation. Requests are retried over UDP (RFC 8489 §6.2.1, shortened for loopback) and sent
 * once over TLS; the 401 challenge and a 438 stale nonce are answered once each with the
 * long-term credential.
 */
export class TurnAllocationClient {
  private realm: string | undefined;
  private nonce: Buffer | undefined;
  private readonly pending = new Map<string, (message: StunMessage) => void>();
  /** Rejects a pending request when a TLS connection ends under it. */
  private readonly failPending = new Map<string, (error: Error) => void>();

  private transport: StunTransport | undefined;
  /** Why a TLS connection ended before the client closed it; every later request fails with it. */
  private streamError: Error | undefined;
  /** The ALPN protocol the server chose over TLS (false: none); undefined over UDP. */
  alpnProtocol: string | false | undefined;

  private constructor(
    private readonly server: TurnServerAddress,
    private readonly credentials: TurnRestCredentials,
  ) {}

  static async open(server: TurnServerAddress, credentials: TurnRestCredentials, options: TurnClientOptions = {}): Promise<TurnAllocationClient> {
    const client = new TurnAllocationClient(server, credentials);
    client.transport = options.tls ? await client.openTls(options.tls) : await client.openUdp(options.udpLocalPort ?? 0);
    return client;
  }

  private receive(packet: Buffer): void {
    const message = decodeMessage(packet);
    if (!message) return;
    const key = message.transactionId.toString('hex');
    const resolve = this.pending.get(key);
    this.pending.delete(key);
    resolve?.(message);
  }

  private async openUdp(localPort = 0): Promise<StunTransport> {
    const socket: Socket = createSocket(isIPv6(this.server.host) ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(localPort, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('message', (packet) => this.receive(packet));
    return {
      reliable: false,
      localPort: socket.address().port,
      send: (packet) => socket.send(packet, this.server.port, this.server.host),
      close: () => socket.close(),
    };
  }

  private async openTls(options: TurnTlsOptions): Promise<StunTransport> {
    const socket: TLSSocket = await new Promise((resolve, reject) => {
      const opened = connectTls({
        host: this.server.host,
        port: this.server.port,
        ...(options.ca === undefined ? {} : { ca: options.ca }),
        ...(options.alpnProtocols === undefined ? {} : { ALPNProtocols: options.alpnProtocols }),
        ...(options.servername === undefined ? {} : { servername: options.servername }),
        timeout: 10_000,
      });
      opened.once('secureConnect', () => {
        opened.off('error', reject);
        opened.setTimeout(0);
        resolve(opened);
      });
      opened.once('error', reject);
      opened.once('timeout', () => opened.destroy(new Error(`TLS handshake with ${this.server.host}:${this.server.port} timed out`)));
    });
    this.alpnProtocol = socket.alpnProtocol ?? false;
    // Over a stream, each STUN message is delimited by the length in its header (RFC 8489 §6.2.2).
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= HEADER_LENGTH) {
        const size = HEADER_LENGTH + buffered.readUInt16BE(2);
        if (buffered.length < size) break;
        this.receive(buffered.subarray(0, size));
        buffered = buffered.subarray(size);
      }
    });
    const ended = (error: Error) => {
      this.streamError ??= error;
      for (const fail of this.failPending.values()) fail(error);
    };
    socket.on('error', ended);
    socket.on('close', () => ended(new Error(`the TLS connection to ${this.server.host}:${this.server.port} closed`)));
    return { reliable: true, send: (packet) => socket.write(packet), close: () => socket.destroy() };
  }

  /**
   * Asks for a UDP relay of the given family; `lifetimeSeconds` is what the client requests. Over
   * UDP, a 437 (Allocation Mismatch) is tried again from a new local port, at most twice: the
   * server saw this 5-tuple as taken, which happens when a NAT in between (Docker's userland
   * proxy for a published port) hands us the mapped address of a client that ended without
   * releasing its allocation, and RFC 8656 §7.3 has the client retry from another address.
   */
  async allocate(options: { family: 4 | 6; lifetimeSeconds?: number }): Promise<AllocateResult> {
    let result = await this.allocateOnce(options);
    for (let retry = 0; retry < 2 && !result.ok && result.code === ALLOCATION_MISMATCH && this.transport?.reliable === false; retry++) {
      this.transport.close();
      this.transport = await this.openUdp();
      result = await this.allocateOnce(options);
    }
    return result;
  }

  private async allocateOnce(options: { family: 4 | 6; lifetimeSeconds?: number }): Promise<AllocateResult> {
    const attributes: Attribute[] = [
      { type: Attr.requestedTransport, value: Buffer.from([UDP, 0, 0, 0]) },
      { type: Attr.requestedAddressFamily, value: Buffer.from([options.family === 4 ? 0x01 : 0x02, 0, 0, 0]) },
    ];
    if (options.lifetimeSeconds !== undefined) attributes.push({ type: Attr.lifetime, value: uint32(options.lifetimeSeconds) });
    const response = await this.authenticatedRequest('allocate', () => attributes);
    if ((response.type & ERROR) === ERROR) return failureOf(response);
    const relayed = attribute(response, Attr.xorRelayedAddress);
    const lifetime = attribute(response, Attr.lifetime);
    if (!relayed || !lifetime) return { ok: false, code: 0, reason: 'Allocate success without XOR-RELAYED-ADDRESS or LIFETIME' };
    return { ok: true, relayed: decodeXorAddress(relayed, response.transactionId), lifetimeSeconds: lifetime.readUInt32BE(0) };
  }

  /** Asks for a permission towards `peer`; coturn answers 403 for a peer its deny list refuses. */
  async createPermission(peer: string): Promise<PermissionResult> {
    // The port is ignored for permissions (RFC 8656 §9); any value will do.
    const response = await this.authenticatedRequest('createPermission', (transactionId) => [
      { type: Attr.xorPeerAddress, value: encodeXorAddress(peer, 9, transactionId) },
    ]);
    return (response.type & ERROR) === ERROR ? failureOf(response) : { ok: true };
  }

  /** Asks to keep the allocation for `lifetimeSeconds` more; answers the lifetime granted. */
  async refresh(lifetimeSeconds: number): Promise<{ ok: true; lifetimeSeconds: number } | TurnFailure> {
    const response = await this.authenticatedRequest('refresh', () => [{ type: Attr.lifetime, value: uint32(lifetimeSeconds) }]);
    if ((response.type & ERROR) === ERROR) return failureOf(response);
    const lifetime = attribute(response, Attr.lifetime);
    return { ok: true, lifetimeSeconds: lifetime ? lifetime.readUInt32BE(0) : lifetimeSeconds };
  }

  /** Deletes the allocation (Refresh with lifetime 0), so it stops counting against the quotas. */
  async release(): Promise<void> {
    await this.authenticatedRequest('refresh', () => [{ type: Attr.lifetime, value: uint32(0) }]).catch(() => undefined);
  }

  close(): void {
    this.transport?.close();
  }

  /** The local port of the UDP socket in use (after a 437 retry, the new one); undefined over TLS. */
  get localPort(): number | undefined {
    return this.transport?.localPort;
  }

  private async authenticatedRequest(method: MethodName, attributesFor: (transactionId: Buffer) => Attribute[]): Promise<StunMessage> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const transactionId = randomBytes(12);
      const attributes = attributesFor(transactionId);
      const type = Method[method];
      const request = this.realm && this.nonce ? encodeRequest(type, transactionId, [...attributes, ...this.authAttributes()], this.integrityKey()) : encodeRequest(type, transactionId, attributes);
      const response = await this.exchange(request, transactionId);
      if ((response.type & ERROR) !== ERROR) {
        if ((response.type & ~ERROR) !== type || (response.type & SUCCESS) !== SUCCESS) throw new Error(`unexpected STUN type 0x${response.type.toString(16)}`);
        return response;
      }
      const failure = failureOf(response);
      const nonce = attribute(response, Attr.nonce);
      const realm = attribute(response, Attr.realm);
      // 401 without credentials yet: the challenge. 438: the nonce went stale. Both carry a fresh nonce.
      const challenge = (failure.code === 401 && !this.nonce) || failure.code === 438;
      if (!challenge || !nonce) return response;
      this.nonce = Buffer.from(nonce);
      if (realm) this.realm = realm.toString('utf8');
    }
    throw new Error(`TURN ${method}: the server kept challenging the credentials`);
  }

  private authAttributes(): Attribute[] {
    return [
      { type: Attr.username, value: Buffer.from(this.credentials.username, 'utf8') },
      { type: Attr.realm, value: Buffer.from(this.realm ?? '', 'utf8') },
      { type: Attr.nonce, value: this.nonce ?? Buffer.alloc(0) },
    ];
  }

  /** The long-term credential key: MD5(username ":" realm ":" password), RFC 8489 §9.2.2. */
  private integrityKey(): Buffer {
    return createHash('md5').update(`${this.credentials.username}:${this.realm ?? ''}:${this.credentials.credential}`, 'utf8').digest();
  }

  private exchange(request: Buffer, transactionId: Buffer): Promise<StunMessage> {
    const key = transactionId.toString('hex');
    const transport = this.transport;
    if (!transport) return Promise.reject(new Error('the TURN client is not open'));
    if (this.streamError) return Promise.reject(this.streamError);
    return new Promise((resolve, reject) => {
      let sent = 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = () => {
        clearTimeout(timer);
        this.pending.delete(key);
        this.failPending.delete(key);
      };
      // UDP: retransmit with backoff (2.5 s to give up, 5 sends). TLS: one send, 5 s to answer.
      const send = () => {
        if (sent === (transport.reliable ? 1 : 5)) {
          settle();
          reject(new Error(`no answer from TURN server ${this.server.host}:${this.server.port}`));
          return;
        }
        sent += 1;
        transport.send(request);
        timer = setTimeout(send, transport.reliable ? 5_000 : 250 * 2 ** (sent - 1));
      };
      this.pending.set(key, (message) => {
        settle();
        resolve(message);
      });
      this.failPending.set(key, (error) => {
        settle();
        reject(error);
      });
      send();
    });
  }
}
