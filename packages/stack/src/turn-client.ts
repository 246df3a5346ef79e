import { execFile } from 'node:child_process';
import { isIPv4 } from 'node:net';
import type { IceServer } from '@meshcall/shared';

/** turnutils_uclient -v prints this once coturn granted the allocation. */
export const RELAY_ALLOCATED = /Received relay addr/;
/** ...and this when coturn refuses a permission towards the peer (the deny list). */
export const PEER_FORBIDDEN = /error 403 \(Forbidden IP\)/;

export interface TurnCredentials {
  urls: string[];
  username: string;
  credential: string;
}

/** The TURN entry of the ICE servers rooms hands out with a join (the one with credentials). */
export function turnCredentials(iceServers: readonly IceServer[]): TurnCredentials {
  const turn = iceServers.find((server) => server.urls.some((url) => url.startsWith('turn:')) && server.username && server.credential);
  if (!turn?.username || !turn.credential) throw new Error(`no TURN server with credentials among ${JSON.stringify(iceServers)}`);
  return { urls: turn.urls, username: turn.username, credential: turn.credential };
}

export interface RelayRequest {
  /** coturn's listening port on 127.0.0.1 (UDP). */
  port: number;
  credentials: { username: string; credential: string };
  /** Where the relay is asked to send: only ever a loopback address here. */
  peer: { address: string; port: number };
  /** Packets to send through a channel to the peer once it is allowed (1); 0 sends none and does not wait for echoes. */
  packets?: number;
}

/**
 * Runs coturn's own test client (turnutils_uclient) against 127.0.0.1: allocate a relay of the
 * peer's address family, ask for a permission towards the peer and send `packets` through a
 * channel. Resolves with everything the client printed, whatever its exit status, which alone
 * does not say which step failed; match RELAY_ALLOCATED and PEER_FORBIDDEN on it.
 */
export function requestRelay(request: RelayRequest): Promise<string> {
  const args = [
    '-v', // prints "Received relay addr" once the allocation succeeded
    '-n', String(request.packets ?? 1),
    '-m', '1',
    '-c', // no RTCP allocation
    isIPv4(request.peer.address) ? '-X' : '-x',
    '-p', String(request.port),
    '-u', request.credentials.username,
    '-w', request.credentials.credential,
    '-e', request.peer.address,
    '-r', String(request.peer.port),
    '127.0.0.1',
  ];
  return new Promise((resolve) => {
    execFile('turnutils_uclient', args, { timeout: 60_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const why = error && typeof error.code !== 'number' ? `\n(turnutils_uclient: ${error.killed ? 'killed after 60 s' : error.message})` : '';
      resolve(`${stdout}${stderr}${why}`);
    });
  });
}
