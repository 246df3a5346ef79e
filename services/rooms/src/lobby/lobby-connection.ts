import type { WebSocket, RawData } from 'ws';
import type { FastifyBaseLogger } from 'fastify';
import { AppError, ErrorCode, LobbyCloseCode, lobbyAuthMessageSchema, type AccessTokenClaims, type LobbyReadyMessage } from '@meshcall/shared';
import type { JwtVerifier } from '@meshcall/server-kit';
import type { LobbyHub } from './lobby-hub.js';

/** A socket that has not authenticated by then is closed: it costs a file descriptor and nothing else. */
export const LOBBY_AUTH_TIMEOUT_MS = 5_000;
/** setTimeout's ceiling (about 24.8 days); a token living longer is simply re-checked then. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** WebSocket close code 1013 "try again later": our key set could not be fetched. */
const TRY_AGAIN_LATER = 1013;

export interface LobbyConnectionDeps {
  hub: LobbyHub;
  accessTokens: JwtVerifier<AccessTokenClaims>;
  log: FastifyBaseLogger;
}

function parseJson(data: RawData): unknown {
  try {
    return JSON.parse(data.toString());
  } catch {
    return undefined;
  }
}

/**
 * One lobby socket: it receives events only after an `auth` message with a valid access token,
 * and only until that token expires unless a fresh one arrives. The token is never logged.
 */
export function serveLobbyConnection(socket: WebSocket, deps: LobbyConnectionDeps): void {
  let verifying = false;
  let expiryTimer: NodeJS.Timeout | undefined;
  const authTimer = setTimeout(() => socket.close(LobbyCloseCode.Unauthorized, 'send an auth message first'), LOBBY_AUTH_TIMEOUT_MS);

  socket.on('message', (data, isBinary) => {
    // One verification at a time: a client has no reason to send tokens faster than they are checked.
    if (isBinary || verifying) {
      socket.close(LobbyCloseCode.BadMessage, isBinary ? 'text messages only' : 'one auth message at a time');
      return;
    }
    const message = lobbyAuthMessageSchema.safeParse(parseJson(data));
    if (!message.success) {
      socket.close(LobbyCloseCode.BadMessage, 'expected {"type":"auth","token":"..."}');
      return;
    }
    verifying = true;
    void authenticate(message.data.token).finally(() => {
      verifying = false;
    });
  });

  socket.on('close', () => {
    clearTimeout(authTimer);
    clearTimeout(expiryTimer);
    deps.hub.unsubscribe(socket);
  });

  async function authenticate(token: string): Promise<void> {
    let claims: AccessTokenClaims;
    try {
      claims = await deps.accessTokens.verify(token);
    } catch (error) {
      const unavailable = error instanceof AppError && error.code === ErrorCode.UNAVAILABLE;
      deps.log.info({ reason: unavailable ? 'keys unavailable' : 'invalid token' }, 'lobby authentication refused');
      socket.close(unavailable ? TRY_AGAIN_LATER : LobbyCloseCode.Unauthorized, unavailable ? 'try again later' : 'invalid or expired access token');
      return;
    }
    if (socket.readyState !== socket.OPEN) return;
    clearTimeout(authTimer);
    clearTimeout(expiryTimer);
    const expiresAtMs = claims.exp * 1000;
    expiryTimer = setTimeout(() => socket.close(LobbyCloseCode.Unauthorized, 'access token expired'), Math.min(Math.max(expiresAtMs - Date.now(), 0), MAX_TIMER_MS));
    deps.hub.subscribe(socket);
    const ready: LobbyReadyMessage = { type: 'ready', expiresAt: new Date(expiresAtMs).toISOString() };
    socket.send(JSON.stringify(ready));
  }
}
