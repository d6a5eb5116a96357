import { X509Certificate } from 'node:crypto';

import { ClientIdentityError } from './client-identity-error.js';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
const PEM_CRL = /-----BEGIN X509 CRL-----[\s\S]*?-----END X509 CRL-----/g;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A chain of a few certificates is a few KiB; anything far larger is not a certificate header. */
const MAX_HEADER_LENGTH = 64 * 1024;

/**
 * Every certificate in a PEM text, in order. Whitespace inside the base64 body is ignored, so nginx's deprecated
 * `$ssl_client_cert` (lines indented with tabs) parses too.
 */
export function parsePemCertificates(pem: string): X509Certificate[] {
  const certificates: X509Certificate[] = [];
  for (const match of pem.matchAll(PEM_CERTIFICATE)) {
    const body = (match[1] ?? '').replace(/\s+/g, '');
    certificates.push(derToCertificate(body));
  }
  return certificates;
}

/**
 * Every CRL in a PEM text (such as the test PKI's `crl.pem`), one PEM string each. Node's TLS `crl` option reads only
 * the first CRL of a string, and once it has one it wants a CRL for every CA in the chain: pass it this array.
 */
export function splitPemCrls(pem: string): string[] {
  return pem.match(PEM_CRL) ?? [];
}

/**
 * Decodes a client certificate as forwarded by a TLS-terminating proxy: URL-encoded PEM (nginx
 * `$ssl_client_escaped_cert`), plain PEM, or base64 DER. Returns the leaf first, then any further certificates
 * the proxy sent along (intermediates).
 */
export function parseForwardedCertificates(headerValue: string | readonly string[] | undefined): X509Certificate[] {
  const raw = singleHeaderValue(headerValue).trim();
  if (raw === '' || raw === '(null)' || raw === '-') {
    throw new ClientIdentityError('CERT_MISSING', 'no client certificate was forwarded');
  }
  if (raw.length > MAX_HEADER_LENGTH) {
    throw new ClientIdentityError('CERT_MALFORMED', `the client certificate header is longer than ${MAX_HEADER_LENGTH} characters`);
  }

  const text = raw.includes('%') ? urlDecode(raw) : raw;
  if (text.includes('-----BEGIN')) {
    const certificates = parsePemCertificates(text);
    if (certificates.length === 0) {
      throw new ClientIdentityError('CERT_MALFORMED', 'the client certificate header holds no PEM certificate');
    }
    return certificates;
  }
  return [derToCertificate(text.replace(/\s+/g, ''))];
}

function singleHeaderValue(headerValue: string | readonly string[] | undefined): string {
  if (headerValue === undefined || typeof headerValue === 'string') return headerValue ?? '';
  if (headerValue.length > 1) {
    throw new ClientIdentityError('CERT_MALFORMED', 'the client certificate header was sent more than once');
  }
  return headerValue[0] ?? '';
}

function urlDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch (error) {
    throw new ClientIdentityError('CERT_MALFORMED', 'the client certificate header is not valid URL encoding', {
      cause: error,
    });
  }
}

function derToCertificate(base64: string): X509Certificate {
  if (!BASE64.test(base64)) {
    throw new ClientIdentityError('CERT_MALFORMED', 'the client certificate is not PEM or base64-encoded DER');
  }
  try {
    return new X509Certificate(Buffer.from(base64, 'base64'));
  } catch (error) {
    throw new ClientIdentityError('CERT_MALFORMED', 'the client certificate could not be parsed as X.509', {
      cause: error,
    });
  }
}
