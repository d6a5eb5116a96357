import type { X509Certificate } from 'node:crypto';

import { parsePemCertificates } from './certificate-encoding.js';
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

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';
const MAX_CHAIN_LENGTH = 8;

/**
 * Checks that a certificate chains, signature by signature, to a self-signed root in the trust store, and that
 * every certificate on the way is within its validity period. Intermediates may come from the trust store or be
 * presented with the leaf. This is what OpenSSL does for a TLS server configured with `ca`, minus revocation and
 * policy constraints.
 */
export class TrustStoreVerifier implements CertificateVerifier {
  private readonly trusted: readonly X509Certificate[];
  private readonly trustedFingerprints: ReadonlySet<string>;

  /** @param trustedCaPems PEM texts, each holding one or more CA certificates (a bundle such as `ca-chain.pem`). */
  constructor(trustedCaPems: string | readonly string[]) {
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
      this.verifyNow(leaf, presented, at);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private verifyNow(leaf: X509Certificate, presented: readonly X509Certificate[], at: Date): void {
    assertClientCertificate(leaf);
    assertWithinValidity(leaf, at);

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
      if (this.trustedFingerprints.has(issuer.fingerprint256) && isSelfSigned(issuer)) return;
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
}

function assertWithinValidity(certificate: X509Certificate, at: Date): void {
  if (at < certificate.validFromDate) {
    throw new ClientIdentityError(
      'CERT_NOT_YET_VALID',
      `${oneLine(certificate.subject)} is not valid before ${certificate.validFromDate.toISOString()}`,
    );
  }
  if (at > certificate.validToDate) {
    throw new ClientIdentityError(
      'CERT_EXPIRED',
      `${oneLine(certificate.subject)} expired at ${certificate.validToDate.toISOString()}`,
    );
  }
}
