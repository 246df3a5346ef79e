import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface TestCertificates {
  /** Holds fullchain.pem and privkey.pem, the layout TLS_CERT_DIR and compose's overlay use. */
  dir: string;
  caFile: string;
  /**
   * base64(SHA-256(SubjectPublicKeyInfo)) of the server key: what Chromium's
   * `--ignore-certificate-errors-spki-list` takes to trust this one key, for pages and TURNS alike.
   */
  spkiHash: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  await execFileAsync('openssl', args, { cwd, timeout: 30_000 });
}

/** The SPKI pin of a PEM certificate, as Chromium's flag wants it. */
export function spkiHashOf(certificatePem: string): string {
  const der = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

/**
 * A throw-away CA and a server certificate for `address` signed by it (IP subjectAltName, since
 * the browsers reach the public face by address), valid two days. Written to `dir`. For tests
 * only (the network tier, the compose smoke test's TLS overlay): nothing here is fit to deploy.
 */
export async function createTestCertificates(dir: string, address: string): Promise<TestCertificates> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=meshcall test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  await openssl(['req', ...ec, '-keyout', 'privkey.pem', '-out', 'server.csr', '-subj', `/CN=${address}`], dir);
  writeFileSync(join(dir, 'server.ext'), `subjectAltName=IP:${address}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n`);
  await openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', 'server.pem', '-extfile', 'server.ext'], dir);
  const server = readFileSync(join(dir, 'server.pem'), 'utf8');
  writeFileSync(join(dir, 'fullchain.pem'), server + readFileSync(join(dir, 'ca.pem'), 'utf8'));
  return { dir, caFile: join(dir, 'ca.pem'), spkiHash: spkiHashOf(server) };
}
