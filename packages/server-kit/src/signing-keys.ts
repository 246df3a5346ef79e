import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, importPKCS8, importSPKI, type CryptoKey, type JWK } from 'jose';
import { TOKEN_ALGORITHM } from '@meshcall/shared';

export interface SigningKey {
  /** Key id: the RFC 7638 thumbprint of the public key, so the same key always has the same kid. */
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface SigningKeySource {
  /** PKCS8 PEM from the environment; wins when set. */
  pem: string | undefined;
  /** Where a development key is kept between restarts. */
  dataDir: string;
  fileName: string;
  /** In production a missing key is a configuration error, never silently generated. */
  production: boolean;
}

async function publicJwkOf(jwk: JWK): Promise<{ kid: string; publicJwk: JWK }> {
  const publicJwk: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
  const kid = await calculateJwkThumbprint(publicJwk);
  return { kid, publicJwk: { ...publicJwk, kid, alg: TOKEN_ALGORITHM, use: 'sig' } };
}

/**
 * Loads the ES256 signing key from PEM, or in development from (or, the first time, into) a
 * JSON file in the data folder, readable by the owner only.
 */
export async function loadSigningKey(source: SigningKeySource): Promise<SigningKey> {
  if (source.pem) {
    const privateKey = await importPKCS8(source.pem.replace(/\\n/g, '\n'), TOKEN_ALGORITHM, { extractable: true });
    return { privateKey, ...(await publicJwkOf(await exportJWK(privateKey))) };
  }
  if (source.production) {
    throw new Error('a signing key is required in production (PKCS8 PEM in the environment)');
  }
  const file = join(source.dataDir, source.fileName);
  if (existsSync(file)) {
    const jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
    const privateKey = (await importJWK(jwk, TOKEN_ALGORITHM)) as CryptoKey;
    return { privateKey, ...(await publicJwkOf(jwk)) };
  }
  const { privateKey } = await generateKeyPair(TOKEN_ALGORITHM, { extractable: true });
  const jwk = await exportJWK(privateKey);
  mkdirSync(source.dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(jwk), { mode: 0o600 });
  chmodSync(file, 0o600);
  return { privateKey, ...(await publicJwkOf(jwk)) };
}

/** A previous public key (SPKI PEM) kept in the JWKS during a rotation so old tokens still verify. */
export async function loadPublicKey(pem: string): Promise<JWK> {
  const key = await importSPKI(pem.replace(/\\n/g, '\n'), TOKEN_ALGORITHM, { extractable: true });
  return (await publicJwkOf(await exportJWK(key))).publicJwk;
}

/** The JSON Web Key Set document served at `/.well-known/jwks.json`. */
export function jwksDocument(publicJwks: JWK[]): { keys: JWK[] } {
  return { keys: publicJwks };
}
