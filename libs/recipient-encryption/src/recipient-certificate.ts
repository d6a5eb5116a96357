import { type KeyObject, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import { KEY_USAGE, keyUsageFlags, parsePemCertificates } from '@poort/pki';

import { RecipientEncryptionError } from './recipient-encryption-error.js';

/** Key transport below this modulus size is refused (PKIoverheid and the baseline use 2048 bits and up). */
export const MIN_RSA_MODULUS_BITS = 2048;

/** A recipient's certificate, read and checked once, ready to encrypt to. */
export interface RecipientCertificate {
  readonly certificate: X509Certificate;
  /** The RSA public key that wraps each content key. */
  readonly publicKey: KeyObject;
  /** base64url SHA-256 of the DER certificate: JWE `x5t#S256` and `kid`. */
  readonly sha256Thumbprint: string;
  /** Subject on one line, for messages and logs. */
  readonly subject: string;
  readonly notAfter: Date;
}

/** A certificate as a delivery profile or a caller holds it: PEM text or bytes, DER bytes, or a parsed one. */
export type RecipientCertificateSource = string | Uint8Array | X509Certificate;

export interface RecipientCertificateOptions {
  /** The moment validity is checked against; default now. */
  now?: Date;
}

/**
 * Reads and checks a recipient's certificate for key transport: an RSA key of at least 2048 bits, keyEncipherment
 * where a keyUsage extension is present, and valid at `now`. A PEM file with a chain uses its first certificate (the
 * recipient's own, by the usual order). Throws a {@link RecipientEncryptionError} saying what is wrong.
 */
export function loadRecipientCertificate(
  source: RecipientCertificateSource | RecipientCertificate,
  options: RecipientCertificateOptions = {},
): RecipientCertificate {
  if (isRecipientCertificate(source)) {
    assertValidAt(source.certificate, source.subject, options.now ?? new Date());
    return source;
  }
  const certificate = parseCertificate(source);
  const subject = certificate.subject.split('\n').join(', ');
  const publicKey = certificate.publicKey;
  if (publicKey.asymmetricKeyType !== 'rsa') {
    throw new RecipientEncryptionError(
      'CERTIFICATE_NOT_RSA',
      `recipient certificate ${subject} has a key of type ${publicKey.asymmetricKeyType ?? 'unknown'}; encryption for a recipient needs an RSA key (RSA-OAEP key transport)`,
    );
  }
  const modulusBits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (modulusBits < MIN_RSA_MODULUS_BITS) {
    throw new RecipientEncryptionError(
      'CERTIFICATE_KEY_TOO_SMALL',
      `recipient certificate ${subject} has a ${modulusBits}-bit RSA key; at least ${MIN_RSA_MODULUS_BITS} bits are required`,
    );
  }
  const keyUsage = keyUsageFlags(certificate);
  if (keyUsage !== undefined && (keyUsage & KEY_USAGE.keyEncipherment) === 0) {
    throw new RecipientEncryptionError(
      'CERTIFICATE_KEY_USAGE',
      `recipient certificate ${subject} does not allow keyEncipherment (its keyUsage extension lacks it), so no content key may be wrapped for it`,
    );
  }
  assertValidAt(certificate, subject, options.now ?? new Date());
  return {
    certificate,
    publicKey,
    sha256Thumbprint: Buffer.from(certificate.fingerprint256.replaceAll(':', ''), 'hex').toString('base64url'),
    subject,
    notAfter: new Date(certificate.validTo),
  };
}

/** {@link loadRecipientCertificate} for a PEM or DER file, e.g. a delivery profile's `certificate` path. */
export async function readRecipientCertificate(path: string, options: RecipientCertificateOptions = {}): Promise<RecipientCertificate> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new RecipientEncryptionError('CERTIFICATE_UNREADABLE', `recipient certificate ${path} cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    return loadRecipientCertificate(bytes, options);
  } catch (error) {
    if (error instanceof RecipientEncryptionError && error.code === 'CERTIFICATE_UNREADABLE') {
      throw new RecipientEncryptionError(error.code, `${path}: ${error.message}`, { cause: error.cause });
    }
    throw error;
  }
}

function isRecipientCertificate(value: unknown): value is RecipientCertificate {
  return typeof value === 'object' && value !== null && 'certificate' in value && 'publicKey' in value && 'sha256Thumbprint' in value;
}

function parseCertificate(source: RecipientCertificateSource): X509Certificate {
  if (source instanceof X509Certificate) return source;
  const bytes = typeof source === 'string' ? Buffer.from(source, 'utf8') : Buffer.from(source.buffer, source.byteOffset, source.byteLength);
  try {
    if (bytes.includes('-----BEGIN')) {
      const [first] = parsePemCertificates(bytes.toString('utf8'));
      if (first) return first;
      throw new Error('no CERTIFICATE block in the PEM text');
    }
    return new X509Certificate(bytes);
  } catch (error) {
    throw new RecipientEncryptionError('CERTIFICATE_UNREADABLE', `recipient certificate is not a readable X.509 certificate: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function assertValidAt(certificate: X509Certificate, subject: string, now: Date): void {
  if (now.getTime() > new Date(certificate.validTo).getTime()) {
    throw new RecipientEncryptionError('CERTIFICATE_EXPIRED', `recipient certificate ${subject} expired on ${new Date(certificate.validTo).toISOString()}`);
  }
  if (now.getTime() < new Date(certificate.validFrom).getTime()) {
    throw new RecipientEncryptionError(
      'CERTIFICATE_NOT_YET_VALID',
      `recipient certificate ${subject} is not valid before ${new Date(certificate.validFrom).toISOString()}`,
    );
  }
}
