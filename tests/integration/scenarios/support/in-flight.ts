import { request as httpRequest } from 'node:http';

/** How one request ended: an HTTP status, or the network error that cut it off. */
export type Outcome = { status: number; afterStop: boolean } | { error: string; afterStop: boolean };

export interface InFlightRequest {
  method: 'GET' | 'POST';
  url: string;
  body?: unknown;
  token?: string;
}

/**
 * One request on a connection of its own (no keep-alive pool). A request queued by a client onto a
 * kept-alive connection that the server is closing is the client's race (HTTP lets a server close
 * an idle connection at any moment); a request the server has on its own connection is in flight.
 */
function send(request: InFlightRequest, written: () => void, timeoutMs = 15_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const headers: Record<string, string> = { connection: 'close' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (request.token) headers.authorization = `Bearer ${request.token}`;
    const outgoing = httpRequest(request.url, { method: request.method, headers, agent: false, timeout: timeoutMs }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
      response.once('error', reject);
    });
    outgoing.once('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.once('error', (error) => {
      written();
      reject(error);
    });
    outgoing.once('finish', written);
    outgoing.end(body);
  });
}

function networkError(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
}

/**
 * Sends `count` requests at once and begins a graceful stop once every request is written on an
 * open connection and the first answer is back, so the service has the rest in hand. Returns how
 * each request ended and whether its answer came after the stop began.
 */
export async function burstDuringStop(count: number, requestFor: (i: number) => InFlightRequest, stop: () => Promise<void>): Promise<Outcome[]> {
  let stopBegan = false;
  let firstAnswer!: () => void;
  const answered = new Promise<void>((resolve) => (firstAnswer = resolve));
  let unwritten = count;
  let allWritten!: () => void;
  const written = new Promise<void>((resolve) => (allWritten = resolve));
  const onWritten = () => {
    if (--unwritten === 0) allWritten();
  };
  const requests = Array.from({ length: count }, (_, i) =>
    send(requestFor(i), onWritten).then(
      (status): Outcome => {
        firstAnswer();
        return { status, afterStop: stopBegan };
      },
      (error: unknown): Outcome => {
        firstAnswer();
        return { error: networkError(error), afterStop: stopBegan };
      },
    ),
  );
  await Promise.all([answered, written]);
  stopBegan = true;
  const stopping = stop();
  const outcomes = await Promise.all(requests);
  await stopping;
  return outcomes;
}

/** Outcomes that are neither one of `allowed` statuses nor a 503: resets, hangs, 500s. */
export function unacceptable(outcomes: Outcome[], allowed: number[]): Outcome[] {
  return outcomes.filter((outcome) => !('status' in outcome) || (!allowed.includes(outcome.status) && outcome.status !== 503));
}
