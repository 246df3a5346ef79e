import { AuthApi, HttpTransport, RefreshCookieJar, RoomsApi } from '@meshcall/client';
import type { CreateRoomBody, JoinRoomResponse, RegisterBody, Room, SessionResponse } from '@meshcall/shared';

/**
 * The public HTTP API as a browser on the gateway's origin uses it, through @meshcall/client:
 * every request carries that Origin (the services refuse foreign ones), every answer is checked
 * against the shared schema, and a refusal throws a MeshcallError with the server's code.
 */
export class GatewayClient {
  private readonly http: HttpTransport;

  constructor(
    readonly origin: string,
    private readonly timeoutMs = 15_000,
  ) {
    this.http = new HttpTransport({ baseUrl: origin, timeoutMs });
  }

  /** GET a path; resolves with the status and body whatever the status (for health probes). */
  async probe(path: string): Promise<{ status: number; body: string }> {
    const response = await fetch(new URL(path, this.origin), { signal: AbortSignal.timeout(this.timeoutMs) });
    return { status: response.status, body: await response.text() };
  }

  /** Signs a new account up (each with its own refresh cookie, which the smoke test never needs). */
  register(body: RegisterBody): Promise<SessionResponse> {
    return new AuthApi(this.http, new RefreshCookieJar()).signUp(body);
  }

  createRoom(accessToken: string, body: CreateRoomBody): Promise<Room> {
    return this.roomsAs(accessToken).create(body);
  }

  joinRoom(accessToken: string, roomId: string): Promise<JoinRoomResponse> {
    return this.roomsAs(accessToken).join(roomId);
  }

  /** Rooms as one user, with the token the test holds (no refresh: the smoke test is shorter than a token's life). */
  private roomsAs(accessToken: string): RoomsApi {
    return new RoomsApi(this.http, (call) => call(accessToken));
  }
}
