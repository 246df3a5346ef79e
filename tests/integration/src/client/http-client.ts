/** One HTTP answer, body parsed as JSON when it is JSON. */
export interface HttpResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  /** Access token for `Authorization: Bearer`. */
  token?: string;
  headers?: Record<string, string>;
  /** A request that gets no answer by then fails the test: "not a hang" is part of what is checked. */
  timeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

/**
 * fetch with what every scenario needs: JSON in and out, the Origin a browser on the gateway's
 * origin would send, a bounded wait, and optionally an `X-Forwarded-For` (honoured only by a
 * service reached directly from loopback, so per-IP limits can be kept apart in setup traffic).
 */
export class HttpClient {
  readonly origin: string | undefined;
  private readonly forwardedFor: string | undefined;

  constructor(options: { origin?: string; forwardedFor?: string } = {}) {
    this.origin = options.origin;
    this.forwardedFor = options.forwardedFor;
  }

  async request<T = unknown>(method: string, url: string, options: RequestOptions = {}): Promise<HttpResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (this.origin) headers.origin = this.origin;
    if (this.forwardedFor) headers['x-forwarded-for'] = this.forwardedFor;
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').includes('application/json');
    return { status: response.status, headers: response.headers, body: (isJson && text ? JSON.parse(text) : text) as T };
  }
}

/** The value of a cookie set by a response, or undefined; an emptied cookie reads as ''. */
export { cookieValue as cookieFromResponse } from '@meshcall/client';

/** The error code of an API error body, if the body is one. */
export function errorCodeOfBody(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const error = (body as { error: unknown }).error;
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}
