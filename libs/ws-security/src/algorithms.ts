import { WsSecurityError } from './errors.js';
import type { Sha1Policy } from './policy.js';

/** A node:crypto hash name with its digest size in bytes. */
export interface HashAlgorithm {
  readonly hash: 'sha1' | 'sha256' | 'sha384' | 'sha512';
  readonly bytes: number;
  readonly legacy: boolean;
}

const SHA1: HashAlgorithm = { hash: 'sha1', bytes: 20, legacy: true };
const SHA256: HashAlgorithm = { hash: 'sha256', bytes: 32, legacy: false };
const SHA384: HashAlgorithm = { hash: 'sha384', bytes: 48, legacy: false };
const SHA512: HashAlgorithm = { hash: 'sha512', bytes: 64, legacy: false };

export const DIGEST_SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
export const SIGNATURE_RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';

const DIGEST_METHODS: ReadonlyMap<string, HashAlgorithm> = new Map([
  ['http://www.w3.org/2000/09/xmldsig#sha1', SHA1],
  [DIGEST_SHA256, SHA256],
  ['http://www.w3.org/2001/04/xmldsig-more#sha384', SHA384],
  ['http://www.w3.org/2001/04/xmlenc#sha512', SHA512],
]);

/** RSASSA-PKCS1-v1_5 signature methods by their hash. */
const SIGNATURE_METHODS: ReadonlyMap<string, HashAlgorithm> = new Map([
  ['http://www.w3.org/2000/09/xmldsig#rsa-sha1', SHA1],
  [SIGNATURE_RSA_SHA256, SHA256],
  ['http://www.w3.org/2001/04/xmldsig-more#rsa-sha384', SHA384],
  ['http://www.w3.org/2001/04/xmldsig-more#rsa-sha512', SHA512],
]);

export function digestAlgorithm(uri: string | undefined, sha1: Sha1Policy): HashAlgorithm {
  return lookup(DIGEST_METHODS, uri, sha1, 'digest method');
}

export function signatureAlgorithm(uri: string | undefined, sha1: Sha1Policy): HashAlgorithm {
  return lookup(SIGNATURE_METHODS, uri, sha1, 'signature method');
}

function lookup(table: ReadonlyMap<string, HashAlgorithm>, uri: string | undefined, sha1: Sha1Policy, what: string): HashAlgorithm {
  const found = uri === undefined ? undefined : table.get(uri);
  if (found === undefined) throw new WsSecurityError('WSS_ALGORITHM', `Unsupported ${what} ${JSON.stringify(uri ?? null)}`);
  if (found.legacy && !sha1.allowSha1) {
    throw new WsSecurityError('WSS_ALGORITHM', `The ${what} ${uri} uses SHA-1, which is only accepted with the legacy switch (${sha1.legacySwitchName})`);
  }
  return found;
}
