import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { redactedPaths } from './logger.js';

function capture(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ redact: { paths: redactedPaths, censor: '[redacted]' } }, sink), lines };
}

describe('log redaction', () => {
  it('hides credentials at the top level and one level down', () => {
    const { logger, lines } = capture();
    logger.info({ token: 'eyJ.top.level', body: { password: 'hunter2', accessToken: 'eyJ.nested' }, ticket: 't.i.k' }, 'auth');
    logger.info({ req: { headers: { authorization: 'Bearer eyJ.header', cookie: 'meshcall_refresh=abc' } } }, 'request');
    const output = lines.join('');
    for (const secret of ['eyJ.top.level', 'hunter2', 'eyJ.nested', 't.i.k', 'eyJ.header', 'meshcall_refresh=abc']) {
      expect(output).not.toContain(secret);
    }
    expect(output.match(/\[redacted\]/g)?.length).toBe(6);
  });
});
