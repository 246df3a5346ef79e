import type { IceServer } from '@meshcall/shared';
import { createTurnCredentials } from './turn-credentials.js';

export interface TurnServerSettings {
  host: string;
  port: number;
  tlsPort: number;
  secret: string;
  credentialTtlSeconds: number;
}

export interface IceServersGrant {
  iceServers: IceServer[];
  /** Seconds until the TURN credentials stop working. */
  ttl: number;
}

/** An IPv6 literal must be bracketed inside a STUN/TURN URI (RFC 7064/7065). */
function uriHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * The RTCIceServer list a browser needs: STUN for its public address, and TURN over UDP, TCP
 * and TLS so a relay is reachable even from networks that block UDP or everything but 443-style
 * TLS. All TURN URLs share one set of short-lived credentials for this user.
 */
export function createIceServers(settings: TurnServerSettings, userId: string, nowMs: number = Date.now()): IceServersGrant {
  const host = uriHost(settings.host);
  const { username, credential } = createTurnCredentials(settings.secret, userId, settings.credentialTtlSeconds, nowMs);
  return {
    iceServers: [
      { urls: [`stun:${host}:${settings.port}`] },
      {
        urls: [
          `turn:${host}:${settings.port}?transport=udp`,
          `turn:${host}:${settings.port}?transport=tcp`,
          `turns:${host}:${settings.tlsPort}?transport=tcp`,
        ],
        username,
        credential,
      },
    ],
    ttl: settings.credentialTtlSeconds,
  };
}
