/**
 * @meshcall/client: the one typed client for meshcall's REST API (auth, rooms) and its Socket.IO
 * signaling protocol. Start with MeshcallClient; README.md has a runnable example.
 */
export { MeshcallClient, type MeshcallClientOptions, type ConnectOptions } from './meshcall-client.js';
export { AuthApi } from './auth-api.js';
export { RoomsApi, type Authorized } from './rooms-api.js';
export { AccessTokens, type TokenGrant } from './access-tokens.js';
export { HttpTransport, type HttpOptions, type JsonRequest, type JsonResponse } from './http.js';
export { RefreshCookieJar, browserRefreshCookie, cookieValue, type RefreshTokenStore } from './refresh-cookie.js';
export {
  ClientErrorCode,
  MeshcallError,
  errorFromAck,
  errorFromHandshake,
  errorFromResponse,
  handshakeRefusalCode,
  isMeshcallError,
  type MeshcallErrorCode,
} from './errors.js';
export {
  SignalingConnection,
  type ConnectionEvents,
  type SignalContent,
  type SignalingConnectionOptions,
} from './signaling/signaling-connection.js';
export { openSignalingSocket, type SignalingSocket, type SignalingSocketOptions } from './signaling/socket.js';
export { DEFAULT_ACK_TIMEOUT_MS, rawRequest, request, sendUnacknowledged, unwrapAck, type ClientEventInput } from './signaling/requests.js';
