import { constants, sign, type KeyObject, type SignKeyObjectInput } from 'node:crypto';

import { httpbis, type SigningKey } from 'http-message-signatures';

import type { Credential } from '../delivery-credentials.js';
import { DeliveryCredentialsError } from '../delivery-credentials.js';

/**
 * HTTP Message Signatures (RFC 9421) on REST deliveries: what Poort signs, and how. docs/recipients-rest.md tells a
 * recipient how to verify; change the two together.
 */

/** The label of Poort's signature in the Signature and Signature-Input fields. */
export const SIGNATURE_LABEL = 'poort';
/** The tag parameter: what the signature is for (RFC 9421 section 2.3), so it is not taken for another kind. */
export const SIGNATURE_TAG = 'poort-delivery';
/** A signature older than this should not be accepted; each retry is signed anew. */
export const SIGNATURE_LIFETIME_MS = 300_000;

/** Covered in this order on every delivery (content-digest of the exact bytes sent: RFC 9530). */
export const SIGNED_COMPONENTS = [
  '@method',
  '@target-uri',
  'content-type',
  'content-length',
  'content-digest',
  'content-disposition',
  'idempotency-key',
  'x-poort-message-id',
  'x-poort-kenmerk',
  'x-poort-berichtsoort',
  'x-poort-afzender-oin',
  'x-poort-tijdstempel-aangeleverd',
] as const;
/** Covered when the message has it. */
export const OPTIONALLY_SIGNED_COMPONENTS = ['x-poort-aanleverkenmerk'] as const;

export type SignatureAlgorithm = 'rsa-pss-sha512' | 'ecdsa-p256-sha256' | 'ecdsa-p384-sha384' | 'ed25519';

/** Signs requests with one key; the keyid is its certificate's SHA-256 thumbprint. */
export interface RequestSigner {
  readonly keyid: string;
  readonly algorithm: SignatureAlgorithm;
  sign(request: { readonly method: string; readonly url: URL; readonly headers: Record<string, string> }, now?: Date): Promise<Record<string, string>>;
}

/**
 * The RFC 9421 algorithm for the key: RSA (PKIoverheid's keys) signs RSASSA-PSS with SHA-512, EC keys ECDSA on their
 * curve, Ed25519 keys Ed25519. Anything else refuses the start.
 */
export function signatureAlgorithmFor(key: KeyObject): SignatureAlgorithm {
  const type = key.asymmetricKeyType;
  if (type === 'rsa' || type === 'rsa-pss') return 'rsa-pss-sha512';
  if (type === 'ed25519') return 'ed25519';
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ecdsa-p256-sha256';
    if (curve === 'secp384r1') return 'ecdsa-p384-sha384';
  }
  throw new DeliveryCredentialsError(`a ${type ?? 'unknown'} key${type === 'ec' ? ` on ${key.asymmetricKeyDetails?.namedCurve ?? 'an unknown curve'}` : ''} cannot sign HTTP messages (RSA, EC P-256/P-384 or Ed25519)`);
}

export function requestSigner(credential: Credential): RequestSigner {
  const algorithm = signatureAlgorithmFor(credential.privateKey);
  const key: SigningKey = { id: credential.thumbprint, alg: algorithm, sign: signerOf(algorithm, credential.privateKey) };
  return {
    keyid: credential.thumbprint,
    algorithm,
    async sign(request, now = new Date()) {
      const fields = [...SIGNED_COMPONENTS, ...OPTIONALLY_SIGNED_COMPONENTS.filter((name) => name in request.headers)];
      const signed = await httpbis.signMessage(
        {
          key,
          name: SIGNATURE_LABEL,
          fields,
          params: ['created', 'expires', 'keyid', 'alg', 'tag'],
          paramValues: { created: now, expires: new Date(now.getTime() + SIGNATURE_LIFETIME_MS), tag: SIGNATURE_TAG },
        },
        { method: request.method, url: request.url, headers: request.headers },
      );
      return signed.headers as Record<string, string>;
    },
  };
}

/** RFC 9530 Content-Digest of a body whose SHA-256 is known. */
export function contentDigest(sha256: Buffer): string {
  return `sha-256=:${sha256.toString('base64')}:`;
}

/**
 * The signature of the signature base, on libuv's thread pool (crypto.sign with a callback), so that signing does not
 * hold up the event loop that other deliveries share. RSASSA-PSS with a 64-byte salt, as RFC 9421 section 3.3.1 says
 * (the library's own helper signs with the longest salt, which strict verifiers refuse).
 */
function signerOf(algorithm: SignatureAlgorithm, privateKey: KeyObject): (data: Buffer) => Promise<Buffer> {
  const [hash, key]: [string | null, SignKeyObjectInput] =
    algorithm === 'rsa-pss-sha512'
      ? ['sha512', { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }]
      : algorithm === 'ecdsa-p256-sha256'
        ? ['sha256', { key: privateKey, dsaEncoding: 'ieee-p1363' }]
        : algorithm === 'ecdsa-p384-sha384'
          ? ['sha384', { key: privateKey, dsaEncoding: 'ieee-p1363' }]
          : [null, { key: privateKey }];
  return (data) => new Promise((resolve, reject) => sign(hash, data, key, (error, signature) => (error ? reject(error) : resolve(signature))));
}
