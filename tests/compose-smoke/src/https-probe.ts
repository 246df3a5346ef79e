import { connect as connectHttp2, constants as http2 } from 'node:http2';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { connect as connectTls, type ConnectionOptions, type TLSSocket } from 'node:tls';

/** One answer over TLS, with the ALPN protocol the server chose (false: none). */
export interface HttpsAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  alpnProtocol: string | false;
}

export interface HttpsProbeOptions {
  /** The CA to trust (PEM): the test CA, not the system's. */
  ca: Buffer;
  timeoutMs?: number;
}

/**
 * GET over HTTPS/1.1 offering exactly `alpnProtocols`. Node's https offers no ALPN unless told,
 * and the gateway's TLS edge routes by the ALPN offer, so a probe must offer what a browser does.
 */
export function httpsGet(url: string, options: HttpsProbeOptions & { alpnProtocols: string[] }): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const requestOptions: RequestOptions & Pick<ConnectionOptions, 'ALPNProtocols'> = { ca: options.ca, ALPNProtocols: options.alpnProtocols, timeout: options.timeoutMs ?? 10_000, agent: false };
    const request = httpsRequest(url, requestOptions, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body, alpnProtocol: (response.socket as TLSSocket).alpnProtocol ?? false }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`${url}: no answer within ${options.timeoutMs ?? 10_000} ms`)));
    request.on('error', reject);
    request.end();
  });
}

/** GET over HTTP/2 (ALPN h2, as Chromium offers first). */
export function http2Get(url: string, options: HttpsProbeOptions): Promise<HttpsAnswer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const session = connectHttp2(target.origin, { ca: options.ca });
    const timer = setTimeout(() => session.destroy(new Error(`${url}: no answer within ${options.timeoutMs ?? 10_000} ms`)), options.timeoutMs ?? 10_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      session.destroy();
      reject(error);
    };
    session.on('error', fail);
    const stream = session.request({ [http2.HTTP2_HEADER_PATH]: `${target.pathname}${target.search}` });
    let status = 0;
    let headers: IncomingHttpHeaders = {};
    let body = '';
    stream.setEncoding('utf8');
    stream.on('response', (received) => {
      status = Number(received[http2.HTTP2_HEADER_STATUS]);
      headers = received as IncomingHttpHeaders;
    });
    stream.on('data', (chunk: string) => (body += chunk));
    stream.on('end', () => {
      clearTimeout(timer);
      const alpnProtocol = (session.socket as TLSSocket).alpnProtocol ?? false;
      session.close();
      resolve({ status, headers, body, alpnProtocol });
    });
    stream.on('error', fail);
  });
}

/**
 * The ALPN protocol a TLS server picks from `alpnProtocols` (false: none), handshake only. For
 * offers no one HTTP client makes by itself, such as Chromium's `h2,http/1.1`.
 */
export function negotiatedAlpn(url: string, options: HttpsProbeOptions & { alpnProtocols: string[] }): Promise<string | false> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connectTls({ host: target.hostname, port: Number(target.port || 443), ca: options.ca, ALPNProtocols: options.alpnProtocols, timeout: options.timeoutMs ?? 10_000 });
    socket.once('secureConnect', () => {
      const protocol = socket.alpnProtocol ?? false;
      socket.end();
      resolve(protocol);
    });
    socket.once('timeout', () => socket.destroy(new Error(`${url}: no TLS handshake within ${options.timeoutMs ?? 10_000} ms`)));
    socket.once('error', reject);
  });
}
