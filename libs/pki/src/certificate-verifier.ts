import type { X509Certificate } from 'node:crypto';

import { parsePemCertificates } from './certificate-encoding.js';
import { KEY_USAGE, keyUsageFlags, validityOf } from './certificate-extensions.js';
import { ClientIdentityError } from './client-identity-error.js';
import { formatDistinguishedName as oneLine } from './distinguished-name.js';

/**
 * Decides whether a client certificate may be trusted. The seam for full path validation: revocation (CRL/OCSP)
 * and policy checks plug in here, which is why it is asynchronous.
 */
export interface CertificateVerifier {
  /**
   * Resolves when `leaf` is trusted at `at`; rejects with a {@link ClientIdentityError} otherwise.
   * `presented` are further certificates the client or proxy sent along (possible intermediates, untrusted).
   */
  verify(leaf: X509Certificate, presented: readonly X509Certificate[], at: Date): Promise<void>;
}

/**
 * What the end-entity certificate is being accepted for:
 * - `client-auth`: TLS client authentication (a client certificate at the API, or forwarded by the ingress proxy).
 *   The extended key usage, when present, must allow clientAuth; the keyUsage, when present, digitalSignature or
 *   keyAgreement (as OpenSSL checks an SSL client).
 * - `signing`: the certificate of a WS-Security (XML) signature. keyUsage must be present with digitalSignature or
 *   nonRepudiation; an extended key usage, when present, must include a purpose that signs for a party (clientAuth,
 *   serverAuth, emailProtection, documentSigning, anyExtendedKeyUsage), not only e.g. OCSPSigning or timeStamping.
 */
export type CertificatePurpose = 'client-auth' | 'signing';

export interface TrustStoreVerifierOptions {
  /** Default `client-auth`. */
  purpose?: CertificatePurpose;
}

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';
/** Extended key usages under which a certificate may sign messages for its subject (PKIoverheid services certificates
 * carry serverAuth + clientAuth and are used for TLS and for WS-Security signatures alike). */
const SIGNING_EXTENDED_KEY_USAGES: ReadonlySet<string> = new Set([
  ANY_EXTENDED_KEY_USAGE,
  CLIENT_AUTH,
  '1.3.6.1.5.5.7.3.1', // serverAuth
  '1.3.6.1.5.5.7.3.4', // emailProtection
  '1.3.6.1.5.5.7.3.36', // documentSigning (RFC 9336)
  '1.3.6.1.4.1.311.10.3.12', // Microsoft document signing
]);
const MAX_CHAIN_LENGTH = 8;
/** Chains remembered (see TrustStoreVerifier.verifyChain); beyond this many the memory starts afresh. */
const MAX_REMEMBERED_CHAINS = 10_000;

/**
 * Checks that a certificate chains, signature by signature, to a self-signed root in the trust store, and that
 * every certificate on the way is within its validity period. Intermediates may come from the trust store or be
 * presented with the leaf. This is what OpenSSL does for a TLS server configured with `ca`, minus revocation and
 * policy constraints.
 */
export class TrustStoreVerifier implements CertificateVerifier {
  private readonly trusted: readonly X509Certificate[];
  private readonly trustedFingerprints: ReadonlySet<string>;
  /**
   * Chains built before, by the leaf and the certificates presented with it: the signatures along a chain never
   * change, so each is checked once per process rather than on every request of a sender (four signature checks and a
   * search of the store). The purpose and every validity period are still checked each time.
   */
  private readonly chains = new Map<string, readonly X509Certificate[]>();
  readonly purpose: CertificatePurpose;

  /**
   * @param trustedCaPems PEM texts, each holding one or more CA certificates (a bundle such as `ca-chain.pem`).
   * No revocation checks: use {@link PkiVerifier} for those.
   */
  constructor(trustedCaPems: string | readonly string[], options: TrustStoreVerifierOptions = {}) {
    this.purpose = options.purpose ?? 'client-auth';
    const pems = typeof trustedCaPems === 'string' ? [trustedCaPems] : trustedCaPems;
    this.trusted = pems.flatMap((pem) => parsePemCertificates(pem));
    if (this.trusted.length === 0) {
      throw new Error('trust store: no CA certificate found in the given PEM text');
    }
    const notCa = this.trusted.find((certificate) => !certificate.ca);
    if (notCa) {
      throw new Error(`trust store: ${oneLine(notCa.subject)} is not a CA certificate`);
    }
    if (!this.trusted.some(isSelfSigned)) {
      throw new Error('trust store: it holds no self-signed root CA, so no chain can end in it');
    }
    this.trustedFingerprints = new Set(this.trusted.map((certificate) => certificate.fingerprint256));
  }

  verify(leaf: X509Certificate, presented: readonly X509Certificate[], at: Date): Promise<void> {
    try {
      this.verifyChain(leaf, presented, at);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * Checks the purpose, builds the chain and checks every validity period, synchronously; throws a
   * {@link ClientIdentityError}. Returns the chain: `leaf` first, the trusted self-signed root last.
   */
  verifyChain(leaf: X509Certificate, presented: readonly X509Certificate[], at: Date): X509Certificate[] {
    assertPurpose(leaf, this.purpose);
    const key = [leaf, ...presented].map((certificate) => certificate.fingerprint256).join(' ');
    const known = this.chains.get(key);
    if (known) {
      for (const certificate of known) assertWithinValidity(certificate, at);
      return [...known];
    }
    const chain = this.buildChain(leaf, presented, at);
    if (this.chains.size >= MAX_REMEMBERED_CHAINS) this.chains.clear();
    this.chains.set(key, chain);
    return [...chain];
  }

  private buildChain(leaf: X509Certificate, presented: readonly X509Certificate[], at: Date): X509Certificate[] {
    assertWithinValidity(leaf, at);
    const chain = [leaf];

    // Trust store certificates first, so a presented copy of a CA never shadows the configured one.
    const candidates = [...this.trusted, ...presented];
    const used = new Set([leaf.fingerprint256]);
    let current = leaf;
    for (let depth = 0; depth < MAX_CHAIN_LENGTH; depth++) {
      const issuer = candidates.find(
        (candidate) => !used.has(candidate.fingerprint256) && isIssuerOf(candidate, current),
      );
      if (!issuer) {
        throw new ClientIdentityError(
          'CERT_UNTRUSTED',
          `${oneLine(current.subject)} was not issued by a trusted CA (issuer ${oneLine(current.issuer)})`,
        );
      }
      assertWithinValidity(issuer, at);
      chain.push(issuer);
      if (this.trustedFingerprints.has(issuer.fingerprint256) && isSelfSigned(issuer)) return chain;
      used.add(issuer.fingerprint256);
      current = issuer;
    }
    throw new ClientIdentityError('CERT_UNTRUSTED', `no trusted chain of at most ${MAX_CHAIN_LENGTH} certificates`);
  }
}

function isIssuerOf(issuer: X509Certificate, subject: X509Certificate): boolean {
  // checkIssued compares names, key identifiers and keyCertSign; verify checks the signature itself.
  return issuer.ca && subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
}

function isSelfSigned(certificate: X509Certificate): boolean {
  return certificate.checkIssued(certificate) && certificate.verify(certificate.publicKey);
}

/** Throws unless `leaf` may be used for `purpose` (see {@link CertificatePurpose}). */
export function assertPurpose(leaf: X509Certificate, purpose: CertificatePurpose): void {
  if (purpose === 'signing') assertSigningCertificate(leaf);
  else assertClientCertificate(leaf);
}

function assertSigningCertificate(leaf: X509Certificate): void {
  const subject = oneLine(leaf.subject);
  if (leaf.ca) throw new ClientIdentityError('CERT_NOT_FOR_SIGNING', `${subject} is a CA certificate`);
  const flags = keyUsageFlags(leaf);
  if (flags === undefined) {
    throw new ClientIdentityError('CERT_NOT_FOR_SIGNING', `${subject} has no keyUsage extension, so it is not a signing certificate`);
  }
  if ((flags & (KEY_USAGE.digitalSignature | KEY_USAGE.nonRepudiation)) === 0) {
    throw new ClientIdentityError(
      'CERT_NOT_FOR_SIGNING',
      `${subject} is not meant for signatures (keyUsage has neither digitalSignature nor nonRepudiation)`,
    );
  }
  const usages: readonly string[] | undefined = leaf.keyUsage;
  if (usages && !usages.some((usage) => SIGNING_EXTENDED_KEY_USAGES.has(usage))) {
    throw new ClientIdentityError(
      'CERT_NOT_FOR_SIGNING',
      `${subject} is not meant for message signatures (extended key usage ${usages.join(', ')})`,
    );
  }
}

function assertClientCertificate(leaf: X509Certificate): void {
  if (leaf.ca) {
    throw new ClientIdentityError('CERT_NOT_FOR_CLIENT_AUTH', `${oneLine(leaf.subject)} is a CA certificate`);
  }
  // Node names the extended key usage `keyUsage`; undefined when the extension is absent (then any use is allowed).
  const usages: readonly string[] | undefined = leaf.keyUsage;
  if (usages && !usages.includes(CLIENT_AUTH) && !usages.includes(ANY_EXTENDED_KEY_USAGE)) {
    throw new ClientIdentityError(
      'CERT_NOT_FOR_CLIENT_AUTH',
      `${oneLine(leaf.subject)} is not meant for TLS client authentication (extended key usage ${usages.join(', ')})`,
    );
  }
  const flags = keyUsageFlags(leaf);
  if (flags !== undefined && (flags & (KEY_USAGE.digitalSignature | KEY_USAGE.keyAgreement)) === 0) {
    throw new ClientIdentityError(
      'CERT_NOT_FOR_CLIENT_AUTH',
      `${oneLine(leaf.subject)} is not meant for TLS client authentication (keyUsage has neither digitalSignature nor keyAgreement)`,
    );
  }
}

function assertWithinValidity(certificate: X509Certificate, at: Date): void {
  const { notBefore, notAfter } = validityOf(certificate);
  if (at < notBefore) {
    throw new ClientIdentityError(
      'CERT_NOT_YET_VALID',
      `${oneLine(certificate.subject)} is not valid before ${notBefore.toISOString()}`,
    );
  }
  if (at > notAfter) {
    throw new ClientIdentityError(
      'CERT_EXPIRED',
      `${oneLine(certificate.subject)} expired at ${notAfter.toISOString()}`,
    );
  }
}
