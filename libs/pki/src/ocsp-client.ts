import {
  BasicOCSPResponse,
  CertID,
  id_kp_OCSPSigning,
  id_pkix_ocsp_basic,
  id_pkix_ocsp_nonce,
  OCSPRequest,
  OCSPResponse,
  OCSPResponseStatus,
  Request,
  type SingleResponse,
  TBSRequest,
} from '@peculiar/asn1-ocsp';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Extension } from '@peculiar/asn1-x509';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';

import { encodedSubject, KEY_USAGE, keyUsageFlags, normalizeSerial, ocspUrls, serialNumberBytes, subjectPublicKeyBits, validityOf } from './certificate-extensions.js';
import { derChildren, readDerElement, signedPart } from './der.js';
import { formatDistinguishedName as oneLine } from './distinguished-name.js';
import { CRL_REASONS, type RevocationStatus } from './revocation.js';
import { verifySignature } from './signature-algorithm.js';

export interface OcspOptions {
  enabled: boolean;
  /** Per HTTP request, including reading the body. Default 5000. */
  timeoutMs?: number;
  /** Upper bound on how long an answer is reused; the response's nextUpdate bounds it too. Default 1 hour. */
  cacheTtlMs?: number;
  /** Default the global fetch. */
  fetch?: typeof fetch;
  /** Send a nonce (RFC 8954); a responder that echoes it must echo it unchanged. Default true. */
  nonce?: boolean;
}

const SHA1 = '1.3.14.3.2.26';
const MAX_RESPONSE_BYTES = 1024 * 1024;
/** Tolerated clock difference with the responder for thisUpdate / nextUpdate. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

interface CacheEntry {
  status: RevocationStatus;
  /** Date.now() after which the entry is not used. */
  expiresAt: number;
  thisUpdate: Date;
  nextUpdate: Date | undefined;
}

/**
 * Asks the OCSP responders a certificate names (authorityInfoAccess) about its status, verifies the signed answer
 * (by the issuer, or by a responder certificate the issuer gave id-kp-OCSPSigning) and caches good and revoked
 * answers per (issuer, serial) until the response's nextUpdate or the cache TTL, whichever is first. Failures are
 * not cached: the next verification asks again. Concurrent questions about one certificate share one request.
 */
export class OcspClient {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<RevocationStatus>>();
  private readonly timeoutMs: number;
  private readonly cacheTtlMs: number;
  private readonly fetch: typeof fetch;
  private readonly sendNonce: boolean;

  constructor(options: OcspOptions) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.cacheTtlMs = options.cacheTtlMs ?? 60 * 60 * 1000;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.sendNonce = options.nonce ?? true;
  }

  /** Whether `certificate` names an OCSP responder this client can ask. */
  static hasResponder(certificate: X509Certificate): boolean {
    return ocspUrls(certificate).length > 0;
  }

  /** Forgets every cached answer. */
  clearCache(): void {
    this.cache.clear();
  }

  async check(certificate: X509Certificate, issuer: X509Certificate, at: Date): Promise<RevocationStatus> {
    const key = `${issuer.fingerprint256}/${normalizeSerial(certificate.serialNumber)}`;
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > Date.now() && isCurrent(cached, at)) return cached.status;
    if (cached) this.cache.delete(key);

    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.ask(certificate, issuer, at, key).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async ask(certificate: X509Certificate, issuer: X509Certificate, at: Date, key: string): Promise<RevocationStatus> {
    const urls = ocspUrls(certificate);
    if (urls.length === 0) return { status: 'unknown', reason: `${oneLine(certificate.subject)} names no OCSP responder` };
    const problems: string[] = [];
    for (const url of urls) {
      const answer = await this.askResponder(url, certificate, issuer, at);
      if ('problem' in answer) {
        problems.push(`${url}: ${answer.problem}`);
        continue;
      }
      const { status, thisUpdate, nextUpdate } = answer;
      if (status.status !== 'unknown') {
        const until = Math.min(Date.now() + this.cacheTtlMs, nextUpdate?.getTime() ?? Number.POSITIVE_INFINITY);
        this.cache.set(key, { status, expiresAt: until, thisUpdate, nextUpdate });
        return status;
      }
      problems.push(`${url}: ${status.reason}`);
    }
    return { status: 'unknown', reason: `OCSP gave no answer for ${oneLine(certificate.subject)}: ${problems.join('; ')}` };
  }

  private async askResponder(
    url: string,
    certificate: X509Certificate,
    issuer: X509Certificate,
    at: Date,
  ): Promise<{ status: RevocationStatus; thisUpdate: Date; nextUpdate: Date | undefined } | { problem: string }> {
    const certId = certIdFor(certificate, issuer);
    const nonce = this.sendNonce ? randomBytes(16) : undefined;
    const request = new OCSPRequest({
      tbsRequest: new TBSRequest({
        requestList: [new Request({ reqCert: certId })],
        ...(nonce ? { requestExtensions: [nonceExtension(nonce)] } : {}),
      }),
    });

    let body: Uint8Array;
    try {
      const response = await this.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' },
        body: new Uint8Array(AsnConvert.serialize(request)),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
      if (!response.ok) return { problem: `HTTP ${response.status}` };
      const length = Number(response.headers.get('content-length') ?? '0');
      if (length > MAX_RESPONSE_BYTES) return { problem: `response of ${length} bytes is too large` };
      body = new Uint8Array(await response.arrayBuffer());
      if (body.length > MAX_RESPONSE_BYTES) return { problem: `response of ${body.length} bytes is too large` };
    } catch (error) {
      return { problem: `request failed: ${describe(error)}` };
    }

    try {
      return verifyOcspResponse(body, certId, issuer, at, nonce);
    } catch (error) {
      return { problem: `malformed response: ${describe(error)}` };
    }
  }
}

function isCurrent(entry: CacheEntry, at: Date): boolean {
  return entry.thisUpdate.getTime() <= at.getTime() + CLOCK_SKEW_MS && (entry.nextUpdate === undefined || at.getTime() <= entry.nextUpdate.getTime() + CLOCK_SKEW_MS);
}

function sha1(data: Uint8Array): Uint8Array {
  return createHash('sha1').update(data).digest();
}

/** The CertID of RFC 6960 4.1.1, with SHA-1 as RFC 5019 requires every responder to accept (an identifier, not a signature). */
export function certIdFor(certificate: X509Certificate, issuer: X509Certificate): CertID {
  return new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: SHA1, parameters: null }),
    issuerNameHash: new OctetString(sha1(encodedSubject(issuer))),
    issuerKeyHash: new OctetString(sha1(subjectPublicKeyBits(issuer))),
    serialNumber: toArrayBuffer(serialNumberBytes(certificate)),
  });
}

function nonceExtension(nonce: Uint8Array): Extension {
  return new Extension({
    extnID: id_pkix_ocsp_nonce,
    critical: false,
    extnValue: new OctetString(AsnConvert.serialize(new OctetString(nonce))),
  });
}

function verifyOcspResponse(
  der: Uint8Array,
  certId: CertID,
  issuer: X509Certificate,
  at: Date,
  nonce: Uint8Array | undefined,
): { status: RevocationStatus; thisUpdate: Date; nextUpdate: Date | undefined } | { problem: string } {
  const response = AsnConvert.parse(der, OCSPResponse);
  if (response.responseStatus !== OCSPResponseStatus.successful) {
    return { problem: `responder answered ${OCSPResponseStatus[response.responseStatus] ?? response.responseStatus}` };
  }
  if (!response.responseBytes || response.responseBytes.responseType !== id_pkix_ocsp_basic) {
    return { problem: 'not a basic OCSP response' };
  }
  const basicDer = new Uint8Array(response.responseBytes.response.buffer);
  const basic = AsnConvert.parse(basicDer, BasicOCSPResponse);
  const tbs = signedPart(basicDer);
  const signature = new Uint8Array(basic.signature);
  const algorithm = basic.signatureAlgorithm.algorithm;

  const signer = [issuer, ...embeddedCertificates(basicDer).filter((candidate) => isDelegatedResponder(candidate, issuer, at))].find(
    (candidate) => matchesResponderId(basic, candidate) && verifySignature(algorithm, tbs, signature, candidate.publicKey),
  );
  if (!signer) {
    return { problem: 'the response is not signed by the issuer or by a responder certificate the issuer authorised (SHA-2 only)' };
  }

  const data = basic.tbsResponseData;
  if (nonce) {
    const echoed = data.responseExtensions?.find((extension) => extension.extnID === id_pkix_ocsp_nonce);
    if (echoed) {
      const value = new Uint8Array(AsnConvert.parse(echoed.extnValue, OctetString).buffer);
      if (!Buffer.from(value).equals(Buffer.from(nonce))) return { problem: 'the response nonce does not match the request' };
    }
  }

  const single = data.responses.find((candidate) => sameCertId(candidate.certID, certId));
  if (!single) return { problem: 'the response says nothing about the certificate asked for' };
  const dates = validityProblem(single, at);
  if (dates) return { problem: dates };
  const { thisUpdate, nextUpdate } = single;

  const status = single.certStatus;
  if (status.revoked) {
    const code = status.revoked.revocationReason?.reason;
    const reason = code === undefined ? undefined : (CRL_REASONS[code] ?? `reason ${code}`);
    return {
      status: { status: 'revoked', source: 'ocsp', revokedAt: status.revoked.revocationTime, ...(reason === undefined ? {} : { reason }) },
      thisUpdate,
      nextUpdate,
    };
  }
  if (status.good !== undefined) return { status: { status: 'good', source: 'ocsp' }, thisUpdate, nextUpdate };
  return { status: { status: 'unknown', reason: 'the responder does not know the certificate' }, thisUpdate, nextUpdate };
}

function validityProblem(single: SingleResponse, at: Date): string | undefined {
  if (single.thisUpdate.getTime() > at.getTime() + CLOCK_SKEW_MS) {
    return `the response is not valid before ${single.thisUpdate.toISOString()} (thisUpdate)`;
  }
  if (single.nextUpdate && single.nextUpdate.getTime() + CLOCK_SKEW_MS < at.getTime()) {
    return `the response expired at ${single.nextUpdate.toISOString()} (nextUpdate)`;
  }
  return undefined;
}

/** The certificates in BasicOCSPResponse.certs, from the bytes as sent (not re-encoded). */
function embeddedCertificates(basicDer: Uint8Array): X509Certificate[] {
  const explicit = derChildren(readDerElement(basicDer)).find((element) => element.tag === 0xa0);
  const [sequence] = explicit ? derChildren(explicit) : [];
  if (!sequence) return [];
  return derChildren(sequence).flatMap((element) => {
    try {
      return [new X509Certificate(element.bytes)];
    } catch {
      return [];
    }
  });
}

/** RFC 6960 4.2.2.2: a certificate the issuer itself issued with id-kp-OCSPSigning, valid now. */
function isDelegatedResponder(candidate: X509Certificate, issuer: X509Certificate, at: Date): boolean {
  const usages: readonly string[] | undefined = candidate.keyUsage;
  const flags = keyUsageFlags(candidate);
  return (
    !candidate.ca &&
    usages !== undefined &&
    usages.includes(id_kp_OCSPSigning) &&
    (flags === undefined || (flags & (KEY_USAGE.digitalSignature | KEY_USAGE.nonRepudiation)) !== 0) &&
    at >= validityOf(candidate).notBefore &&
    at <= validityOf(candidate).notAfter &&
    candidate.checkIssued(issuer) &&
    candidate.verify(issuer.publicKey)
  );
}

function matchesResponderId(basic: BasicOCSPResponse, candidate: X509Certificate): boolean {
  const id = basic.tbsResponseData.responderID;
  if (id.byKey) return Buffer.from(sha1(subjectPublicKeyBits(candidate))).equals(Buffer.from(id.byKey.buffer));
  if (id.byName) return Buffer.from(AsnConvert.serialize(id.byName)).equals(Buffer.from(encodedSubject(candidate)));
  return false;
}

function sameCertId(a: CertID, b: CertID): boolean {
  return (
    a.hashAlgorithm.algorithm === b.hashAlgorithm.algorithm &&
    Buffer.from(a.issuerNameHash.buffer).equals(Buffer.from(b.issuerNameHash.buffer)) &&
    Buffer.from(a.issuerKeyHash.buffer).equals(Buffer.from(b.issuerKeyHash.buffer)) &&
    normalizeSerial(a.serialNumber) === normalizeSerial(b.serialNumber)
  );
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.name === 'TimeoutError' ? 'timed out' : error.message}${cause}`;
  }
  return String(error);
}
