import { type KeyObject, verify } from 'node:crypto';

/**
 * Signature algorithms accepted on CRLs and OCSP responses: SHA-2 only (Digikoppeling, domain.md 3.5), RSA PKCS#1 v1.5
 * and ECDSA, which is what PKIoverheid CAs and responders use. Anything else counts as a bad signature.
 */
const ALGORITHMS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.11': 'sha256', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

export function isAcceptedSignatureAlgorithm(oid: string): boolean {
  return Object.hasOwn(ALGORITHMS, oid);
}

/** True when `signature` over `data` verifies with `publicKey` under the algorithm `oid`; false for anything else. */
export function verifySignature(oid: string, data: Uint8Array, signature: Uint8Array, publicKey: KeyObject): boolean {
  const hash = Object.hasOwn(ALGORITHMS, oid) ? ALGORITHMS[oid] : undefined;
  if (hash === undefined) return false;
  try {
    return verify(hash, data, publicKey, signature);
  } catch {
    return false;
  }
}
