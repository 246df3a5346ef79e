import type { IceServer } from '@meshcall/shared';
import { runCommand } from './command.js';

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

/**
 * Asks coturn at 127.0.0.1:PORT (UDP) for a relay with coturn's own client, then for a permission
 * towards PEER. Resolves with everything the client printed: its exit status does not say which
 * step failed. The peer is only ever a loopback address, which the production config refuses, so
 * no packet is relayed anywhere.
 */
export async function requestRelay(port: number, credentials: { username: string; credential: string }, peer: { address: string; port: number }): Promise<string> {
  const result = await runCommand(
    'turnutils_uclient',
    ['-v', '-n', '1', '-m', '1', '-c', '-X', '-p', String(port), '-u', credentials.username, '-w', credentials.credential, '-e', peer.address, '-r', String(peer.port), '127.0.0.1'],
    { timeoutMs: 30_000 },
  );
  return `${result.stdout}${result.stderr}`;
}
