import {
  joinRoomResponseSchema,
  roomResponseSchema,
  sessionResponseSchema,
  type CreateRoomBody,
  type JoinRoomResponse,
  type RegisterBody,
  type Room,
  type SessionResponse,
} from '@meshcall/shared';

/** An HTTP answer the client did not expect, with what the gateway said. */
export class GatewayResponseError extends Error {
  constructor(
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${path} answered ${status}: ${body.slice(0, 500)}`);
  }
}

/**
 * The public HTTP API as a browser on the gateway's origin uses it: every request carries that
 * Origin (the services refuse foreign ones) and every answer is checked against the shared schema.
 */
export class GatewayClient {
  constructor(
    readonly origin: string,
    private readonly timeoutMs = 15_000,
  ) {}

  /** GET a path; resolves with the status and body whatever the status (for health probes). */
  async probe(path: string): Promise<{ status: number; body: string }> {
    const response = await fetch(new URL(path, this.origin), { signal: AbortSignal.timeout(this.timeoutMs) });
    return { status: response.status, body: await response.text() };
  }

  register(body: RegisterBody): Promise<SessionResponse> {
    return this.send('POST', '/api/auth/register', sessionResponseSchema, { body, expect: 201 });
  }

  async createRoom(accessToken: string, body: CreateRoomBody): Promise<Room> {
    return (await this.send('POST', '/api/rooms', roomResponseSchema, { body, accessToken, expect: 201 })).room;
  }

  joinRoom(accessToken: string, roomId: string): Promise<JoinRoomResponse> {
    return this.send('POST', `/api/rooms/${encodeURIComponent(roomId)}/join`, joinRoomResponseSchema, { body: {}, accessToken, expect: 200 });
  }

  private async send<T>(
    method: string,
    path: string,
    schema: { parse(value: unknown): T },
    options: { body: unknown; accessToken?: string; expect: number },
  ): Promise<T> {
    const headers: Record<string, string> = { origin: this.origin, 'content-type': 'application/json' };
    if (options.accessToken) headers.authorization = `Bearer ${options.accessToken}`;
    const response = await fetch(new URL(path, this.origin), {
      method,
      headers,
      body: JSON.stringify(options.body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    if (response.status !== options.expect) throw new GatewayResponseError(path, response.status, text);
    return schema.parse(JSON.parse(text));
  }
}
