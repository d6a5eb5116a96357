import { AsnConvert } from '@peculiar/asn1-schema';
import {
  CertificateList,
  CRLReason,
  id_ce_authorityKeyIdentifier,
  id_ce_cRLNumber,
  id_ce_cRLReasons,
} from '@peculiar/asn1-x509';
import { createHash, type X509Certificate } from 'node:crypto';

import { encodedIssuer, KEY_USAGE, keyUsageFlags, normalizeSerial } from './certificate-extensions.js';
import { derChildren, readDerElement, signedPart } from './der.js';
import { formatDistinguishedName as oneLine } from './distinguished-name.js';
import { CRL_REASONS, type RevocationStatus } from './revocation.js';
import { verifySignature } from './signature-algorithm.js';

const PEM_CRL = /-----BEGIN (?:X509 )?CRL-----([\s\S]*?)-----END (?:X509 )?CRL-----/g;

/** CRL extensions this code understands; a CRL with any other critical extension is not used (RFC 5280 5.2). */
const HANDLED_CRL_EXTENSIONS: ReadonlySet<string> = new Set([id_ce_authorityKeyIdentifier, id_ce_cRLNumber]);
/** Entry extensions this code understands; other critical ones (e.g. certificateIssuer of an indirect CRL) make the CRL unusable. */
const HANDLED_ENTRY_EXTENSIONS: ReadonlySet<string> = new Set([id_ce_cRLReasons, '2.5.29.24' /* invalidityDate */]);

interface RevokedEntry {
  revokedAt: Date;
  reason?: string;
}

/** A CRL, parsed once. Its signature is checked per issuer certificate on first use and remembered. */
export interface ParsedCrl {
  /** SHA-256 of the DER, hex. */
  id: string;
  /** The DER issuer name, hex: matched byte for byte against a certificate's issuer name. */
  issuerKey: string;
  thisUpdate: Date;
  nextUpdate: Date | undefined;
  revoked: ReadonlyMap<string, RevokedEntry>;
  /** Why this CRL cannot be used at all, whatever the date (an unhandled critical extension). */
  unusable: string | undefined;
  signatureAlgorithm: string;
  tbs: Uint8Array;
  signature: Uint8Array;
  verifiedBy: Map<string, boolean>;
}

/** Every CRL in a PEM text ('X509 CRL' or 'CRL' labels). Throws when a block is not a CRL. */
export function parsePemCrls(pem: string): ParsedCrl[] {
  return [...pem.matchAll(PEM_CRL)].map((match) => parseCrl(Buffer.from((match[1] ?? '').replace(/\s+/g, ''), 'base64')));
}

export function parseCrl(der: Uint8Array): ParsedCrl {
  const list = AsnConvert.parse(der, CertificateList);
  const tbsCertList = list.tbsCertList;
  const [tbsElement] = derChildren(readDerElement(der));
  if (!tbsElement) throw new Error('CRL: no tbsCertList');
  const fields = derChildren(tbsElement);
  // TBSCertList: version (optional INTEGER), signature, issuer, …
  const issuerField = fields[fields[0]?.tag === 0x02 ? 2 : 1];
  if (!issuerField) throw new Error('CRL: no issuer');

  let unusable: string | undefined;
  if (tbsCertList.signature.algorithm !== list.signatureAlgorithm.algorithm) unusable = 'its two signature algorithm fields differ';
  for (const extension of tbsCertList.crlExtensions ?? []) {
    if (extension.critical && !HANDLED_CRL_EXTENSIONS.has(extension.extnID)) {
      unusable = `it has the critical extension ${extension.extnID}, which this verifier does not handle`;
    }
  }
  const revoked = new Map<string, RevokedEntry>();
  for (const entry of tbsCertList.revokedCertificates ?? []) {
    let reason: string | undefined;
    for (const extension of entry.crlEntryExtensions ?? []) {
      if (extension.extnID === id_ce_cRLReasons) {
        const code = AsnConvert.parse(extension.extnValue, CRLReason).reason;
        reason = CRL_REASONS[code] ?? `reason ${code}`;
      } else if (extension.critical && !HANDLED_ENTRY_EXTENSIONS.has(extension.extnID)) {
        unusable = `an entry has the critical extension ${extension.extnID}, which this verifier does not handle`;
      }
    }
    // removeFromCRL only means something in a delta CRL, which this verifier does not use.
    if (reason === 'removeFromCRL') continue;
    revoked.set(normalizeSerial(entry.userCertificate), {
      revokedAt: entry.revocationDate.getTime(),
      ...(reason === undefined ? {} : { reason }),
    });
  }
  return {
    id: createHash('sha256').update(der).digest('hex'),
    issuerKey: Buffer.from(issuerField.bytes).toString('hex'),
    thisUpdate: tbsCertList.thisUpdate.getTime(),
    nextUpdate: tbsCertList.nextUpdate?.getTime(),
    revoked,
    unusable,
    signatureAlgorithm: list.signatureAlgorithm.algorithm,
    tbs: signedPart(der),
    signature: new Uint8Array(list.signature),
    verifiedBy: new Map(),
  };
}

/** Source functions are called on first use and again once a CRL they gave has passed its nextUpdate. */
interface SourceState {
  load: () => Promise<string>;
  crls: ParsedCrl[];
  /** Date.now() of the last attempt; undefined before the first. */
  attemptedAt: number | undefined;
  inFlight: Promise<void> | undefined;
  lastError: string | undefined;
}

export interface CrlStoreOptions {
  /** After an attempt, a source is not asked again for this long (ms), even when its CRLs are stale. Default 60 s. */
  minRefreshIntervalMs?: number;
  now?: () => number;
}

/**
 * The CRLs known to a verifier: fixed PEM texts (parsed once, at construction) and sources (loaded lazily, reloaded
 * when stale). Answers good / revoked / unknown for a certificate given its issuer.
 */
export class CrlStore {
  private readonly fixed: readonly ParsedCrl[];
  private readonly sources: SourceState[];
  private readonly minRefreshIntervalMs: number;
  private readonly now: () => number;

  constructor(pems: readonly string[], sources: readonly (() => Promise<string>)[], options: CrlStoreOptions = {}) {
    this.fixed = pems.flatMap((pem, index) => {
      const crls = parsePemCrls(pem);
      if (crls.length === 0) throw new Error(`CRL store: crls[${index}] holds no PEM CRL`);
      return crls;
    });
    this.sources = sources.map((load) => ({ load, crls: [], attemptedAt: undefined, inFlight: undefined, lastError: undefined }));
    this.minRefreshIntervalMs = options.minRefreshIntervalMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Loads every source that was never loaded or holds a CRL past its nextUpdate (rate-limited). Never throws. */
  async refreshDue(): Promise<void> {
    const now = this.now();
    await Promise.all(
      this.sources.map((source) => {
        if (source.inFlight) return source.inFlight;
        const stale =
          source.attemptedAt === undefined ||
          source.crls.length === 0 ||
          source.crls.some((crl) => crl.nextUpdate === undefined || crl.nextUpdate.getTime() < now);
        const mayRetry = source.attemptedAt === undefined || now - source.attemptedAt >= this.minRefreshIntervalMs;
        return stale && mayRetry ? this.load(source) : undefined;
      }),
    );
  }

  /** Loads every source now, whatever its state; rejects with the first failure (for start-up checks). */
  async refreshAll(): Promise<void> {
    await Promise.all(this.sources.map((source) => source.inFlight ?? this.load(source)));
    const failed = this.sources.find((source) => source.lastError !== undefined);
    if (failed) throw new Error(`CRL source failed: ${failed.lastError}`);
  }

  private load(source: SourceState): Promise<void> {
    source.attemptedAt = this.now();
    source.inFlight = (async () => {
      try {
        const crls = parsePemCrls(await source.load());
        if (crls.length === 0) throw new Error('the source returned no PEM CRL');
        source.crls = crls;
        source.lastError = undefined;
      } catch (error) {
        // Keep what it gave before: once past nextUpdate those CRLs answer "unknown" by themselves.
        source.lastError = error instanceof Error ? error.message : String(error);
      } finally {
        source.inFlight = undefined;
      }
    })();
    return source.inFlight;
  }

  check(certificate: X509Certificate, issuer: X509Certificate, at: Date): RevocationStatus {
    const issuerKey = Buffer.from(encodedIssuer(certificate)).toString('hex');
    const candidates = this.all().filter((crl) => crl.issuerKey === issuerKey);
    if (candidates.length === 0) {
      return { status: 'unknown', reason: `no CRL of ${oneLine(certificate.issuer)} is configured` };
    }
    const problems: string[] = [];
    let usable = 0;
    const serial = normalizeSerial(certificate.serialNumber);
    for (const crl of candidates) {
      const problem = this.problemWith(crl, issuer, at);
      if (problem !== undefined) {
        problems.push(problem);
        continue;
      }
      usable++;
      const entry = crl.revoked.get(serial);
      if (entry) {
        return {
          status: 'revoked',
          source: 'crl',
          revokedAt: entry.revokedAt,
          ...(entry.reason === undefined ? {} : { reason: entry.reason }),
        };
      }
    }
    return usable > 0
      ? { status: 'good', source: 'crl' }
      : { status: 'unknown', reason: `no usable CRL of ${oneLine(certificate.issuer)}: ${problems.join('; ')}` };
  }

  private problemWith(crl: ParsedCrl, issuer: X509Certificate, at: Date): string | undefined {
    if (crl.unusable !== undefined) return `the CRL is not usable: ${crl.unusable}`;
    const flags = keyUsageFlags(issuer);
    if (flags !== undefined && (flags & KEY_USAGE.cRLSign) === 0) return 'the issuer may not sign CRLs (no cRLSign key usage)';
    let verified = crl.verifiedBy.get(issuer.fingerprint256);
    if (verified === undefined) {
      verified = verifySignature(crl.signatureAlgorithm, crl.tbs, crl.signature, issuer.publicKey);
      crl.verifiedBy.set(issuer.fingerprint256, verified);
    }
    if (!verified) return 'the CRL signature does not verify with the issuer key (or uses an algorithm other than SHA-2 RSA/ECDSA)';
    if (at < crl.thisUpdate) return `the CRL is not valid before ${crl.thisUpdate.toISOString()}`;
    if (crl.nextUpdate === undefined) return 'the CRL has no nextUpdate';
    if (at > crl.nextUpdate) return `the CRL expired at ${crl.nextUpdate.toISOString()} (nextUpdate)`;
    return undefined;
  }

  private all(): ParsedCrl[] {
    return [...this.fixed, ...this.sources.flatMap((source) => source.crls)];
  }
}
