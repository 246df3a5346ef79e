import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { stunBindingOk } from '@meshcall/shared/stun-binding';
import { LocalComponent } from '../component.js';
import { infraDir } from './nginx.js';

export interface CoturnOptions {
  /** The piece's name in progress lines and supervision, and its log file: `coturn` unless given (`coturn-2`). */
  name?: string;
  /** STUN/TURN port on 127.0.0.1, UDP and TCP. */
  listenPort: number;
  /** Relay ports, on 127.0.0.1 and ::1. */
  relayMinPort: number;
  relayMaxPort: number;
  /** The TURN REST API secret shared with the rooms service (TURN_SECRET). */
  secret: string;
  realm: string;
  runDir: string;
  logDir: string;
  /**
   * Adds infra/coturn/turnserver.local-test.conf, which lets relays reach 127.0.0.1 and ::1:
   * needed for relay-only calls between browsers on this machine, never for production.
   */
  allowLoopbackPeers: boolean;
  /**
   * Address to listen and relay on instead of 127.0.0.1 (and ::1): the network tier runs coturn
   * at a public documentation address inside a network namespace.
   */
  address?: string;
  /** Further config files appended last (a test's own peer overlay). */
  overlays?: string[];
  /**
   * TURN over TLS on this port with these PEM files. The launcher puts it behind the gateway's
   * TLS port (nginx stream, routed by ALPN), so this port is internal.
   */
  tls?: { port: number; certificate: string; certificateKey: string };
}

/** The production config, exactly as Docker runs it. */
export const productionCoturnConfig = join(infraDir, 'coturn', 'turnserver.conf');
/** The overlay that opens loopback peers for tests on this machine. */
export const localTestCoturnOverlay = join(infraDir, 'coturn', 'turnserver.local-test.conf');

const REALM = /^[A-Za-z0-9.-]+$/;

/**
 * The config coturn runs with locally: the production file, then what differs on this machine
 * (loopback listener and relay, ports, no TLS, files in runDir) and the secret, then the test
 * overlay when asked. coturn applies a later single-valued option over an earlier one, which is
 * also how the Docker entrypoint adds its values, so both start from the same file.
 */
export function renderCoturnConfig(options: CoturnOptions): string {
  // A line break in either would let the value add arbitrary options to the config.
  if (!options.secret || /[\r\n]/.test(options.secret)) throw new Error('coturn: the TURN secret must be one non-empty line');
  if (!REALM.test(options.realm)) throw new Error(`coturn: realm '${options.realm}' must be a host name`);
  if (!(options.relayMinPort > 0 && options.relayMinPort <= options.relayMaxPort && options.relayMaxPort <= 65535)) {
    throw new Error(`coturn: relay port range ${options.relayMinPort}-${options.relayMaxPort} is not valid`);
  }
  for (const file of [options.tls?.certificate, options.tls?.certificateKey]) {
    if (file !== undefined && /[\r\n]/.test(file)) throw new Error('coturn: certificate paths must be one line');
  }
  if (options.address !== undefined && isIP(options.address) === 0) throw new Error(`coturn: address '${options.address}' is not an IP address`);
  const listen = options.address ?? '127.0.0.1';
  const relays = options.address ? [options.address] : ['127.0.0.1', '::1'];
  const local = [
    '',
    '# --- Local launcher (packages/stack/src/components/coturn.ts) ---',
    `listening-ip=${listen}`,
    `listening-port=${options.listenPort}`,
    ...relays.map((ip) => `relay-ip=${ip}`),
    `min-port=${options.relayMinPort}`,
    `max-port=${options.relayMaxPort}`,
    // Without certificates no TLS listener; with them, TLS on an internal port that the gateway's
    // TLS port forwards TURN to (DTLS stays off: browsers speak TURN over TLS, not DTLS).
    ...(options.tls
      ? [`tls-listening-port=${options.tls.port}`, `cert=${options.tls.certificate}`, `pkey=${options.tls.certificateKey}`]
      : ['no-tls']),
    'no-dtls',
    `pidfile=${join(options.runDir, 'turnserver.pid')}`,
    `userdb=${join(options.runDir, 'turndb')}`,
    `realm=${options.realm}`,
    `static-auth-secret=${options.secret}`,
    '',
  ];
  const overlay = options.allowLoopbackPeers ? ['', readFileSync(localTestCoturnOverlay, 'utf8')] : [];
  const extra = (options.overlays ?? []).flatMap((file) => ['', readFileSync(file, 'utf8')]);
  return [readFileSync(productionCoturnConfig, 'utf8'), ...local, ...overlay, ...extra].join('\n');
}

/**
 * Debian's coturn (`turnserver`) on 127.0.0.1 with the production config. The rendered config
 * holds the secret, so it is readable by the owner only.
 */
export function coturnComponent(options: CoturnOptions): LocalComponent {
  mkdirSync(options.runDir, { recursive: true });
  const configFile = join(options.runDir, 'turnserver.conf');
  writeFileSync(configFile, renderCoturnConfig(options), { mode: 0o600 });
  chmodSync(configFile, 0o600);
  const name = options.name ?? 'coturn';
  return new LocalComponent({
    name,
    processOptions: () => ({
      name,
      command: 'turnserver',
      args: ['-c', configFile],
      logFile: join(options.logDir, `${name}.log`),
    }),
    isReady: () => stunBindingOk(options.listenPort, options.address ?? '127.0.0.1'),
  });
}
