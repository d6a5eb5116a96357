import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { X509Certificate } from 'node:crypto';

import { type CertificatePurpose, type CertificateVerifier, TrustStoreVerifier } from './certificate-verifier.js';
import { ClientIdentityError } from './client-identity-error.js';
import { CrlStore } from './crl-store.js';
import { formatDistinguishedName as oneLine } from './distinguished-name.js';
import { OcspClient, type OcspOptions } from './ocsp-client.js';
import type { RevocationStatus } from './revocation.js';

/**
 * What to do when no source establishes that a certificate is not revoked (no CRL of its issuer, an expired or
 * badly signed CRL, no OCSP answer): `hard-fail` rejects with CERT_REVOCATION_UNKNOWN, `soft-fail` accepts and reports
 * through `onRevocationUnknown`. A certificate found revoked is rejected under both.
 */
export type RevocationPolicy = 'hard-fail' | 'soft-fail';

export interface PkiVerifierOptions {
  purpose: CertificatePurpose;
  /** Default `hard-fail`. */
  revocation?: RevocationPolicy;
  /** PEM texts holding one or more CRLs each; parsed once, here (throws when one holds no CRL). */
  crls?: readonly string[];
  /**
   * Functions that return PEM text with CRLs (a file read, an HTTP download). Called on the first verification and
   * again once a CRL they gave is past its nextUpdate, at most once a minute each; a failure keeps the CRLs they gave
   * before (which then turn "unknown" at their nextUpdate).
   */
  crlSources?: readonly (() => Promise<string>)[];
  /** OCSP for certificates that name a responder (authorityInfoAccess). Off when absent. */
  ocsp?: OcspOptions;
  /** Called under `soft-fail` for every certificate whose status stayed unknown (for logs and metrics). */
  onRevocationUnknown?: (event: { subject: string; serialNumber: string; reason: string }) => void;
}

/**
 * Full path validation: the chain to a trusted root and validity periods ({@link TrustStoreVerifier}), the key usage
 * for the purpose, and revocation of every certificate in the chain except the root, by CRL and by OCSP.
 *
 * Per certificate: a revoked answer from either source rejects (CERT_REVOKED); a good answer from either accepts;
 * otherwise the status is unknown (see {@link RevocationPolicy}). CRLs are consulted first (local); OCSP is asked when
 * it is enabled and the certificate names a responder, since it is the fresher source.
 */
export class PkiVerifier implements CertificateVerifier {
  readonly purpose: CertificatePurpose;
  readonly revocation: RevocationPolicy;
  private readonly trustStore: TrustStoreVerifier;
  private readonly crlStore: CrlStore;
  private readonly ocsp: OcspClient | undefined;
  private readonly onRevocationUnknown: PkiVerifierOptions['onRevocationUnknown'];

  constructor(trustedCaPems: string | readonly string[], options: PkiVerifierOptions) {
    this.purpose = options.purpose;
    this.revocation = options.revocation ?? 'hard-fail';
    this.trustStore = new TrustStoreVerifier(trustedCaPems, { purpose: options.purpose });
    this.crlStore = new CrlStore(options.crls ?? [], options.crlSources ?? []);
    this.ocsp = options.ocsp?.enabled ? new OcspClient(options.ocsp) : undefined;
    this.onRevocationUnknown = options.onRevocationUnknown;
  }

  async verify(leaf: X509Certificate, presented: readonly X509Certificate[], at: Date): Promise<void> {
    const chain = this.trustStore.verifyChain(leaf, presented, at);
    await this.crlStore.refreshDue();
    for (let index = 0; index < chain.length - 1; index++) {
      const certificate = chain[index];
      const issuer = chain[index + 1];
      if (!certificate || !issuer) break;
      const status = await this.revocationStatus(certificate, issuer, at);
      if (status.status === 'revoked') {
        const how = [status.reason, status.revokedAt ? `since ${status.revokedAt.toISOString()}` : undefined].filter(Boolean).join(', ');
        throw new ClientIdentityError(
          'CERT_REVOKED',
          `${oneLine(certificate.subject)} is revoked${how ? ` (${how})` : ''} according to ${status.source === 'crl' ? 'the CRL' : 'OCSP'} of ${oneLine(certificate.issuer)}`,
        );
      }
      if (status.status === 'unknown') {
        if (this.revocation === 'hard-fail') {
          throw new ClientIdentityError(
            'CERT_REVOCATION_UNKNOWN',
            `the revocation status of ${oneLine(certificate.subject)} could not be established: ${status.reason}`,
          );
        }
        this.onRevocationUnknown?.({ subject: oneLine(certificate.subject), serialNumber: certificate.serialNumber, reason: status.reason });
      }
    }
  }

  /** The combined CRL / OCSP answer about `certificate`, issued by `issuer`, at `at`. Never throws. */
  async revocationStatus(certificate: X509Certificate, issuer: X509Certificate, at: Date): Promise<RevocationStatus> {
    const fromCrl = this.crlStore.check(certificate, issuer, at);
    if (fromCrl.status === 'revoked') return fromCrl;
    if (this.ocsp && OcspClient.hasResponder(certificate)) {
      const fromOcsp = await this.ocsp.check(certificate, issuer, at);
      if (fromOcsp.status !== 'unknown') return fromOcsp;
      if (fromCrl.status === 'good') return fromCrl;
      return { status: 'unknown', reason: `${fromCrl.reason}; ${fromOcsp.reason}` };
    }
    return fromCrl;
  }

  /** Loads every CRL source now; rejects when one fails (use at start-up to fail fast). */
  refreshCrls(): Promise<void> {
    return this.crlStore.refreshAll();
  }

  clearOcspCache(): void {
    this.ocsp?.clearCache();
  }
}

export interface VerifierFromFilesOptions {
  /** PEM file(s) with the trusted CA certificates (root and intermediates). */
  caFile: string | readonly string[];
  /** PEM file(s) with CRLs; read now (so a missing file fails at start-up) and read again when a CRL in it is stale. */
  crlFile?: string | readonly string[];
  purpose: CertificatePurpose;
  /** Default `hard-fail`. */
  revocation?: RevocationPolicy;
  ocsp?: OcspOptions;
  onRevocationUnknown?: PkiVerifierOptions['onRevocationUnknown'];
}

/** A {@link PkiVerifier} from files, for the services' configuration. Synchronous; throws when a file is unreadable. */
export function verifierFromFiles(options: VerifierFromFilesOptions): PkiVerifier {
  const list = (value: string | readonly string[] | undefined): readonly string[] =>
    value === undefined ? [] : typeof value === 'string' ? [value] : value;
  const crlFiles = list(options.crlFile);
  return new PkiVerifier(
    list(options.caFile).map((file) => readFileSync(file, 'utf8')),
    {
      purpose: options.purpose,
      ...(options.revocation === undefined ? {} : { revocation: options.revocation }),
      // The content as read now answers until a re-read (due once one of its CRLs is stale) brings a newer one.
      crls: crlFiles.map((file) => readFileSync(file, 'utf8')),
      crlSources: crlFiles.map((file) => () => readFile(file, 'utf8')),
      ...(options.ocsp === undefined ? {} : { ocsp: options.ocsp }),
      ...(options.onRevocationUnknown === undefined ? {} : { onRevocationUnknown: options.onRevocationUnknown }),
    },
  );
}
