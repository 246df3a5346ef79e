import type { z } from 'zod';
import { ApiError, ClientErrorCode, apiErrorFromResponse } from './api-error.js';

export interface RequestOptions<S extends z.ZodType> {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** Access token for `Authorization: Bearer`. */
  token?: string;
  /** Validates a 2xx body; omit for endpoints that answer 204 or whose body is ignored. */
  schema?: S;
  signal?: AbortSignal;
}

/**
 * One JSON request to our own origin. Every failure becomes an ApiError with a catalogue code,
 * and every success body is checked against the shared contract before anyone reads it.
 */
export async function requestJson<S extends z.ZodType>(path: string, options: RequestOptions<S> = {}): Promise<z.infer<S>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  // No content-type without a body: Fastify refuses an empty body declared as JSON.
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;

  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      credentials: 'same-origin',
      cache: 'no-store',
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(ClientErrorCode.NETWORK, 'Cannot reach the server.');
  }

  const body = await readBody(response);
  if (!response.ok) throw apiErrorFromResponse(response.status, body);
  if (!options.schema) return undefined as z.infer<S>;
  const parsed = options.schema.safeParse(body);
  if (!parsed.success) throw new ApiError(ClientErrorCode.BAD_RESPONSE, 'The server answered unexpectedly.', response.status);
  return parsed.data;
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
