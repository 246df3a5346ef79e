import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestCertificates, spkiHashOf } from './test-certificates.js';

describe('createTestCertificates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshcall-test-certs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('issues a server certificate for the address, signed by its own CA, and pins its key', async () => {
    const made = await createTestCertificates(dir, '203.0.113.10');
    const [server] = readFileSync(join(made.dir, 'fullchain.pem'), 'utf8').split(/(?<=-----END CERTIFICATE-----\n)/);
    const certificate = new X509Certificate(server ?? '');
    const ca = new X509Certificate(readFileSync(made.caFile));
    expect(certificate.subjectAltName).toBe('IP Address:203.0.113.10');
    expect(certificate.checkIssued(ca)).toBe(true);
    expect(certificate.verify(ca.publicKey)).toBe(true);
    expect(certificate.checkPrivateKey(await import('node:crypto').then((c) => c.createPrivateKey(readFileSync(join(made.dir, 'privkey.pem')))))).toBe(true);
    // The pin is of this server key, not the CA's.
    expect(made.spkiHash).toBe(spkiHashOf(server ?? ''));
    expect(made.spkiHash).not.toBe(spkiHashOf(readFileSync(made.caFile, 'utf8')));
    expect(Buffer.from(made.spkiHash, 'base64')).toHaveLength(32);
  });
});
