import { isIPv4, isIPv6 } from 'node:net';

/** coturn's defaults (infra/coturn/turnserver.conf): STUN/TURN over UDP and TCP, and over TLS. */
export const DEFAULT_TURN_PORT = 3478;
export const DEFAULT_TURN_TLS_PORT = 5349;
/** More would be a typo or a misuse: rooms probes every one of them every few seconds. */
export const MAX_TURN_SERVERS = 32;

export interface HostPort {
  host: string;
  port: number;
}

/** One coturn as rooms hands it out, and where rooms checks that it answers. */
export interface TurnServer {
  /** `host:port` as browsers reach it (IPv6 bracketed): the server's name in logs, metrics and the hash. */
  id: string;
  /** Host in the STUN/TURN URLs. */
  host: string;
  /** STUN and TURN over UDP and TCP. */
  port: number;
  /** TURN over TLS (`turns:`). */
  tlsPort: number;
  /** Where the health check sends its STUN Binding request: the advertised address unless the entry names another. */
  probe: HostPort;
}

/** `TURN_SERVERS` does not parse; the message names the entry and what is wrong with it. */
export class TurnServerListError extends Error {
  override readonly name = 'TurnServerListError';
}

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
/** `host`, `host:port`, `[v6]`, `[v6]:port`; a bare IPv6 literal would be ambiguous with a port. */
const HOST_AND_PORT = /^(?:\[(?<v6>[^\]]+)\]|(?<name>[^:[\]]+))(?::(?<port>[^:]*))?$/;

function parsePort(text: string, what: string, entry: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw new TurnServerListError(`'${entry}': ${what} '${text}' is not a port (1-65535)`);
  }
  return Number(text);
}

function parseHostPort(text: string, defaultPort: number, entry: string): HostPort {
  const match = HOST_AND_PORT.exec(text);
  const v6 = match?.groups?.v6;
  const name = match?.groups?.name;
  if (v6 !== undefined && !isIPv6(v6)) throw new TurnServerListError(`'${entry}': '[${v6}]' is not an IPv6 address`);
  if (name !== undefined && !isIPv4(name) && !HOST_NAME.test(name)) {
    throw new TurnServerListError(`'${entry}': '${name}' is not a host name or IP address (IPv6 goes in brackets: [2001:db8::1]:3478)`);
  }
  const host = v6 ?? name;
  if (host === undefined) throw new TurnServerListError(`'${entry}': expected host[:port] (IPv6 in brackets)`);
  const port = match?.groups?.port;
  return { host, port: port === undefined ? defaultPort : parsePort(port, 'port', entry) };
}

/** `host:port` with an IPv6 literal bracketed, as in a URI. */
export function formatHostPort({ host, port }: HostPort): string {
  return `${isIPv6(host) ? `[${host}]` : host}:${port}`;
}

/**
 * Parses `TURN_SERVERS`: comma-separated entries `host[:port][/tls-port][@probe-host[:probe-port]]`
 * (IPv6 in brackets; ports default to 3478 and 5349; the probe to the advertised host and port).
 * The probe address is for deployments where rooms reaches coturn by another name than browsers
 * do (compose: the service name). Every coturn must share TURN_SECRET.
 */
export function parseTurnServers(text: string): TurnServer[] {
  const entries = text.split(',').map((entry) => entry.trim());
  if (entries.some((entry) => entry === '')) throw new TurnServerListError('an entry is empty (a stray comma?)');
  if (entries.length > MAX_TURN_SERVERS) throw new TurnServerListError(`at most ${MAX_TURN_SERVERS} servers, got ${entries.length}`);
  const servers = entries.map((entry): TurnServer => {
    if (/\s/.test(entry)) throw new TurnServerListError(`'${entry}': no spaces inside an entry`);
    const [advertisedPart = '', probePart, ...extra] = entry.split('@');
    if (extra.length > 0) throw new TurnServerListError(`'${entry}': at most one '@probe-host[:port]'`);
    const [addressPart = '', tlsPart, ...moreSlashes] = advertisedPart.split('/');
    if (moreSlashes.length > 0) throw new TurnServerListError(`'${entry}': at most one '/tls-port'`);
    const advertised = parseHostPort(addressPart, DEFAULT_TURN_PORT, entry);
    const tlsPort = tlsPart === undefined ? DEFAULT_TURN_TLS_PORT : parsePort(tlsPart, 'TLS port', entry);
    const probe = probePart === undefined ? advertised : parseHostPort(probePart, DEFAULT_TURN_PORT, entry);
    return { id: formatHostPort(advertised), ...advertised, tlsPort, probe };
  });
  const seen = new Set<string>();
  for (const server of servers) {
    if (seen.has(server.id)) throw new TurnServerListError(`'${server.id}' is listed twice`);
    seen.add(server.id);
  }
  return servers;
}
