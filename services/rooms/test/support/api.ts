import type { RoomsApp } from '../../src/app.js';

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Record<string, unknown>;
}

/**
 * A JSON request through Fastify's inject, as a signed-in user when a token is given. Bodies are
 * loosely typed on purpose: the assertions are what check their shape.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function call<T = any>(
  app: RoomsApp,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  options: { token?: string; body?: unknown } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await app.inject({
    method,
    url,
    headers,
    ...(options.body === undefined ? {} : { payload: options.body as object }),
  });
  return {
    status: response.statusCode,
    body: (String(response.headers['content-type']).startsWith('application/json') ? JSON.parse(response.body) : response.body) as T,
    headers: response.headers,
  };
}
