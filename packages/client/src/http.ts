import type { z } from 'zod';
import { ClientErrorCode, MeshcallError, errorFromResponse } from './errors.js';

/** How the client reaches meshcall over HTTP. */
export interface HttpOptions {
  /**
   * The gateway's origin, e.g. `http://127.0.0.1:8080`; in a browser on that origin leave it out
   * and requests go to the page's own origin.
   */
  baseUrl?: string;
  /**
   * The `Origin` header to send outside a browser (the services refuse foreign origins on cookie
   * and WebSocket routes). A browser sets it itself and ignores this. Default: `baseUrl`.
   */
  origin?: string;
  /** A request that gets no answer by then fails with TIMEOUT. Default 15 s. */
  timeoutMs?: number;
  /** Extra headers on every request (a test's `x-forwarded-for`, for one). */
  headers?: Record<string, string>;
  /** The fetch to use; the global one by default. */
  fetch?: typeof fetch;
}

/** One JSON request's options. */
export interface JsonRequest<S extends z.ZodType> {
  /** GET unless given. */
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Sent as JSON. */
  body?: unknown;
  /** Access token for `Authorization: Bearer`. */
  token?: string;
  /** Validates a 2xx body; omit for endpoints whose body is ignored. */
  schema?: S;
  /** Headers for this request only (the refresh cookie outside a browser). */
  headers?: Record<string, string>;
  /** Cancels the request; an abort by the caller rejects with its own AbortError, not a MeshcallError. */
  signal?: AbortSignal;
}

/** A JSON response's parsed body and its headers (auth's Set-Cookie). */
export interface JsonResponse<T> {
  /** The body, as the request's schema parsed it (undefined without a schema). */
  body: T;
  /** The response headers (auth's Set-Cookie, for one). */
  headers: Headers;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * JSON over fetch with the contract's rules: every failure becomes a MeshcallError with a
 * catalogue code, and every success body is checked against its shared schema before anyone
 * reads it.
 */
export class HttpTransport {
  readonly #options: HttpOptions;

  /** @param options - where and how to reach the gateway */
  constructor(options: HttpOptions = {}) {
    this.#options = options;
  }

  /** The absolute URL of an API path (`/api/rooms`), or the path itself in a browser without `baseUrl`. */
  url(path: string): string {
    return this.#options.baseUrl === undefined ? path : new URL(path, this.#options.baseUrl).toString();
  }

  /** Sends one request and returns its validated body and headers, or throws a MeshcallError. */
  async request<S extends z.ZodType>(path: string, request: JsonRequest<S> = {}): Promise<JsonResponse<z.output<S>>> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.#options.headers, ...request.headers };
    const origin = this.#options.origin ?? this.#options.baseUrl;
    if (origin !== undefined) headers.origin = new URL(origin).origin;
    // No content-type without a body: Fastify refuses an empty body declared as JSON.
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    if (request.token) headers.authorization = `Bearer ${request.token}`;

    const timeout = AbortSignal.timeout(this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    let response: Response;
    try {
      response = await (this.#options.fetch ?? fetch)(this.url(path), {
        method: request.method ?? 'GET',
        headers,
        body: request.body === undefined ? null : JSON.stringify(request.body),
        // The refresh cookie rides along in a browser; outside one, RefreshCookieJar carries it.
        credentials: 'same-origin',
        cache: 'no-store',
        signal: request.signal ? AbortSignal.any([request.signal, timeout]) : timeout,
      });
    } catch (error) {
      if (request.signal?.aborted) throw error;
      if (error instanceof Error && error.name === 'TimeoutError') throw new MeshcallError(ClientErrorCode.TIMEOUT, 'The server did not answer in time.');
      throw new MeshcallError(ClientErrorCode.NETWORK, 'Cannot reach the server.');
    }

    const body = await readBody(response);
    if (!response.ok) throw errorFromResponse(response.status, body);
    if (!request.schema) return { body: undefined as z.output<S>, headers: response.headers };
    const parsed = request.schema.safeParse(body);
    if (!parsed.success) throw new MeshcallError(ClientErrorCode.BAD_RESPONSE, 'The server answered unexpectedly.', response.status);
    return { body: parsed.data, headers: response.headers };
  }
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined;
  const text = await response.text().catch(() => '');
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
