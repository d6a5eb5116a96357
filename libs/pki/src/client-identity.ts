import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';

import { parseForwardedCertificates, parsePemCertificates } from './certificate-encoding.js';
import { validityOf } from './certificate-extensions.js';
import { type CertificateVerifier, TrustStoreVerifier } from './certificate-verifier.js';
import { ClientIdentityError } from './client-identity-error.js';
import { attributeValues, formatDistinguishedName } from './distinguished-name.js';
import { type Oin, OinError, parseOin } from './oin.js';

/** Who is calling, as established by a client certificate. The OIN is the identity; the rest is for audit. */
export interface ClientIdentity {
  oin: Oin;
  /** Subject DN on one line, RDNs in certificate order (`C=NL, O=…, serialNumber=…, CN=…`). */
  subject: string;
  /** SHA-256 of the DER certificate: 64 lowercase hex digits, no colons. */
  fingerprintSha256: string;
  notBefore: Date;
  notAfter: Date;
  issuer: string;
}

/**
 * Derives the identity from a certificate without judging whether it can be trusted: callers use
 * {@link identityFromTlsSocket} or {@link identityFromForwardedHeader}, which check that first.
 */
export function identityFromCertificate(certificate: X509Certificate | string | Buffer): ClientIdentity {
  const cert = toCertificate(certificate);
  const { notBefore, notAfter } = validityOf(cert);
  return {
    oin: oinFromSubject(cert.subject),
    subject: formatDistinguishedName(cert.subject),
    fingerprintSha256: cert.fingerprint256.replaceAll(':', '').toLowerCase(),
    notBefore,
    notAfter,
    issuer: formatDistinguishedName(cert.issuer),
  };
}

/**
 * The identity of the peer of a TLS connection that ends at this process. The server runs with
 * `requestCert: true, rejectUnauthorized: false` (health endpoints need no certificate), so the handshake
 * succeeds for anyone and this is where an API route refuses a missing or unverified certificate.
 */
export function identityFromTlsSocket(socket: TLSSocket): ClientIdentity {
  const certificate = socket.getPeerX509Certificate();
  if (!certificate) {
    throw new ClientIdentityError('CERT_MISSING', 'no client certificate was presented');
  }
  if (socket.authorized !== true) {
    throw tlsAuthorizationError(socket.authorizationError, certificate);
  }
  return identityFromCertificate(certificate);
}

export interface ForwardedIdentityOptions {
  /** The moment at which the certificate must be valid; defaults to now. */
  now?: Date;
}

/**
 * The identity of a client whose TLS connection ended at a trusted proxy that forwards the certificate in a header
 * (nginx `$ssl_client_escaped_cert`, plain PEM or base64 DER). Only call this for requests that are known to come
 * from that proxy: the header is otherwise just text any client can send.
 *
 * @param trust a verifier, or trusted CA PEM text(s) to build a {@link TrustStoreVerifier} from (parsed on every
 *   call: build the verifier once where requests are many).
 */
export async function identityFromForwardedHeader(
  headerValue: string | readonly string[] | undefined,
  trust: CertificateVerifier | string | readonly string[],
  options: ForwardedIdentityOptions = {},
): Promise<ClientIdentity> {
  const [leaf, ...presented] = parseForwardedCertificates(headerValue);
  if (!leaf) {
    throw new ClientIdentityError('CERT_MISSING', 'no client certificate was forwarded');
  }
  const verifier = isVerifier(trust) ? trust : new TrustStoreVerifier(trust);
  await verifier.verify(leaf, presented, options.now ?? new Date());
  return identityFromCertificate(leaf);
}

function isVerifier(trust: CertificateVerifier | string | readonly string[]): trust is CertificateVerifier {
  return typeof trust === 'object' && 'verify' in trust;
}

function toCertificate(certificate: X509Certificate | string | Buffer): X509Certificate {
  if (certificate instanceof X509Certificate) return certificate;
  if (typeof certificate === 'string') {
    const [first] = parsePemCertificates(certificate);
    if (!first) throw new ClientIdentityError('CERT_MALFORMED', 'no PEM certificate found');
    return first;
  }
  try {
    return new X509Certificate(certificate);
  } catch (error) {
    throw new ClientIdentityError('CERT_MALFORMED', 'the certificate could not be parsed as X.509', { cause: error });
  }
}

function oinFromSubject(subject: string): Oin {
  const serialNumbers = attributeValues(subject, 'serialNumber');
  const [serialNumber] = serialNumbers;
  if (serialNumber === undefined) {
    throw new ClientIdentityError(
      'CERT_NO_OIN',
      `the certificate subject has no serialNumber (OID 2.5.4.5) to take the OIN from: ${formatDistinguishedName(subject)}`,
    );
  }
  if (serialNumbers.length > 1) {
    throw new ClientIdentityError(
      'CERT_BAD_OIN',
      `the certificate subject has ${serialNumbers.length} serialNumber attributes; the OIN must be unambiguous`,
    );
  }
  try {
    return parseOin(serialNumber);
  } catch (error) {
    if (!(error instanceof OinError)) throw error;
    throw new ClientIdentityError('CERT_BAD_OIN', `the certificate subject serialNumber is not an OIN: ${error.message}`, {
      cause: error,
    });
  }
}

/** OpenSSL verify error names (as Node reports them in `authorizationError`) that have a code of their own. */
const TLS_AUTHORIZATION_CODES = {
  CERT_HAS_EXPIRED: 'CERT_EXPIRED',
  CERT_NOT_YET_VALID: 'CERT_NOT_YET_VALID',
  CERT_REVOKED: 'CERT_REVOKED',
  INVALID_PURPOSE: 'CERT_NOT_FOR_CLIENT_AUTH',
} as const;

function tlsAuthorizationError(reason: unknown, certificate: X509Certificate): ClientIdentityError {
  // Typed as Error, but Node sets the OpenSSL error name (e.g. 'UNABLE_TO_VERIFY_LEAF_SIGNATURE') as a string.
  const name =
    reason instanceof Error ? ((reason as NodeJS.ErrnoException).code ?? reason.message) : String(reason ?? 'unknown');
  const code = Object.hasOwn(TLS_AUTHORIZATION_CODES, name)
    ? TLS_AUTHORIZATION_CODES[name as keyof typeof TLS_AUTHORIZATION_CODES]
    : 'CERT_UNTRUSTED';
  return new ClientIdentityError(
    code,
    `the client certificate ${formatDistinguishedName(certificate.subject)} was not accepted: ${name}`,
  );
}
