import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityInfoAccessSyntax,
  Certificate,
  id_ad_ocsp,
  id_ce_keyUsage,
  id_pe_authorityInfoAccess,
  KeyUsage,
} from '@peculiar/asn1-x509';
import type { X509Certificate } from 'node:crypto';

import { derChildren, readDerElement } from './der.js';

/** RFC 5280 keyUsage bits, as @peculiar/asn1-x509 numbers them. */
export const KEY_USAGE = {
  digitalSignature: 1,
  nonRepudiation: 2,
  keyEncipherment: 4,
  dataEncipherment: 8,
  keyAgreement: 16,
  keyCertSign: 32,
  cRLSign: 64,
} as const;

const parsed = new WeakMap<X509Certificate, Certificate>();

function asn(certificate: X509Certificate): Certificate {
  let value = parsed.get(certificate);
  if (!value) {
    value = AsnConvert.parse(certificate.raw, Certificate);
    parsed.set(certificate, value);
  }
  return value;
}

function extensionValue(certificate: X509Certificate, oid: string): ArrayBuffer | undefined {
  const extension = asn(certificate).tbsCertificate.extensions?.find((candidate) => candidate.extnID === oid);
  return extension?.extnValue.buffer;
}

/** The keyUsage bits, or undefined when the certificate has no keyUsage extension. */
export function keyUsageFlags(certificate: X509Certificate): number | undefined {
  const value = extensionValue(certificate, id_ce_keyUsage);
  return value === undefined ? undefined : AsnConvert.parse(value, KeyUsage).toNumber();
}

/** HTTP(S) OCSP responder URLs from the authorityInfoAccess extension, in certificate order. */
export function ocspUrls(certificate: X509Certificate): string[] {
  const value = extensionValue(certificate, id_pe_authorityInfoAccess);
  if (value === undefined) return [];
  return AsnConvert.parse(value, AuthorityInfoAccessSyntax)
    .filter((description) => description.accessMethod === id_ad_ocsp)
    .map((description) => description.accessLocation.uniformResourceIdentifier)
    .filter((url): url is string => url !== undefined && /^https?:\/\//i.test(url));
}

/** The subject public key BIT STRING contents (without the unused-bits byte): what OCSP's issuerKeyHash hashes. */
export function subjectPublicKeyBits(certificate: X509Certificate): Uint8Array {
  return new Uint8Array(asn(certificate).tbsCertificate.subjectPublicKeyInfo.subjectPublicKey);
}

/** The DER subject name exactly as encoded in the certificate: what OCSP's issuerNameHash hashes. */
export function encodedSubject(certificate: X509Certificate): Uint8Array {
  const [tbs] = derChildren(readDerElement(new Uint8Array(certificate.raw)));
  if (!tbs) throw new Error('certificate: no tbsCertificate');
  const fields = derChildren(tbs);
  // TBSCertificate: [0] version (optional), serialNumber, signature, issuer, validity, subject, …
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[offset + 4];
  if (!subject) throw new Error('certificate: no subject');
  return subject.bytes;
}

/** The encoded issuer name of a certificate, for matching it against a CRL's issuer. */
export function encodedIssuer(certificate: X509Certificate): Uint8Array {
  const [tbs] = derChildren(readDerElement(new Uint8Array(certificate.raw)));
  if (!tbs) throw new Error('certificate: no tbsCertificate');
  const fields = derChildren(tbs);
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  const issuer = fields[offset + 2];
  if (!issuer) throw new Error('certificate: no issuer');
  return issuer.bytes;
}

/** A serial number as upper-case hex without leading zeros, the form both Node and the CRL/OCSP code compare in. */
export function normalizeSerial(serial: string | ArrayBuffer | Uint8Array): string {
  const hex = typeof serial === 'string' ? serial : Buffer.from(serial instanceof Uint8Array ? serial : new Uint8Array(serial)).toString('hex');
  return hex.toUpperCase().replace(/^0+(?=.)/, '');
}

/** The serial number as encoded in the certificate (DER INTEGER contents). */
export function serialNumberBytes(certificate: X509Certificate): Uint8Array {
  return new Uint8Array(asn(certificate).tbsCertificate.serialNumber);
}

/**
 * The validity period. `validFromDate`/`validToDate` only exist from Node 22.10; on older Node they are undefined and
 * every date comparison with them is false, which would silently accept expired certificates, so parse the strings.
 */
export function validityOf(certificate: X509Certificate): { notBefore: Date; notAfter: Date } {
  const notBefore = (certificate.validFromDate as Date | undefined) ?? new Date(certificate.validFrom);
  const notAfter = (certificate.validToDate as Date | undefined) ?? new Date(certificate.validTo);
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) {
    throw new Error(`certificate: unreadable validity period ${certificate.validFrom} – ${certificate.validTo}`);
  }
  return { notBefore, notAfter };
}
