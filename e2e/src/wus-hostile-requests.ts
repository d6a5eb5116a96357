import { X509Certificate, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

import type { TestClientName, TestPki } from '@poort/pki';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';

import { rawExchange, requestHead } from './raw-http.js';

// Builds WUS aanleveren requests the way a Digikoppeling client does (SOAP 1.1, WS-Addressing, WS-Security X.509
// signed with xml-crypto, not with Poort's own code), with knobs to make them hostile, and sends them raw.

export const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';
export const WSA = 'http://www.w3.org/2005/08/addressing';
export const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
export const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
export const KV = 'http://logius.nl/digipoort/koppelvlakservices/1.2/';
export const X509V3 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3';
export const BASE64_BINARY = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';
export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
export const EXC_C14N_WITH_COMMENTS = 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments';
export const ENVELOPED_SIGNATURE = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
export const XPATH_TRANSFORM = 'http://www.w3.org/TR/1999/REC-xpath-19991116';
export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
export const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
export const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';
export const AANLEVEREN_ACTION = 'http://logius.nl/digipoort/wus/2.0/aanleverservice/1.2/AanleverService/aanleverenRequest';
export const AANLEVER_PATH = '/wus/2.0/aanleverservice/1.2';

/** XPaths of the parts a WUS request signs, by the wsu:Id-carrying element's local name. */
const PART_XPATH = {
  Timestamp: "//*[local-name(.)='Timestamp']",
  To: "//*[local-name(.)='To']",
  Action: "//*[local-name(.)='Action']",
  MessageID: "//*[local-name(.)='MessageID']",
  Body: "//*[local-name(.)='Body']",
} as const;

export interface SignerCredential {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

export function signerFrom(pki: TestPki, name: TestClientName): SignerCredential {
  return { certificatePem: readFileSync(pki.clients[name].cert, 'utf8'), privateKeyPem: readFileSync(pki.clients[name].key, 'utf8') };
}

export interface AanleverRequestOptions {
  /** wsa:To; null leaves the header out. */
  readonly to: string | null;
  readonly signer: SignerCredential;
  /** wsa:Action; default the aanleveren action; null leaves the header out. */
  readonly action?: string | null;
  /** wsa:MessageID; default a fresh urn:uuid; null leaves the header out. */
  readonly messageId?: string | null;
  /** wsu:Created; default now. */
  readonly created?: Date;
  /** wsu:Expires; default created + 5 minutes; null for none. */
  readonly expires?: Date | null;
  /** Envelope namespace; default SOAP 1.1. */
  readonly soapNamespace?: string;
  /** berichtInhoud/inhoud (raw bytes, base64-encoded here). */
  readonly content: Buffer;
  readonly aanleverkenmerk?: string;
  readonly signatureAlgorithm?: string;
  readonly digestAlgorithm?: string;
  /** Transforms of every reference; default exclusive C14N only. */
  readonly transforms?: readonly string[];
  /** SignedInfo's CanonicalizationMethod; default exclusive C14N. */
  readonly canonicalization?: string;
  /** Extra ds:References, as XPaths of the elements to sign (after the profile's). */
  readonly extraReferences?: readonly string[];
  /** Edits of the unsigned XML (e.g. a wsu:Id on an element an extra reference signs). */
  readonly beforeSigning?: (xml: string) => string;
  /** Edits of the signed XML (wrapping, tampering, …). */
  readonly afterSigning?: (xml: string) => string;
}

export interface BuiltRequest {
  readonly xml: string;
  readonly messageId: string | undefined;
  readonly action: string | undefined;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** An unsigned aanleveren request: wsse:Security with Timestamp and BST, the WS-Addressing headers, the Body. */
export function unsignedAanleverRequest(options: AanleverRequestOptions): BuiltRequest {
  const created = options.created ?? new Date();
  const expires = options.expires === undefined ? new Date(created.getTime() + 5 * 60_000) : options.expires;
  const action = options.action === undefined ? AANLEVEREN_ACTION : options.action;
  const messageId = options.messageId === undefined ? `urn:uuid:${randomUUID()}` : options.messageId;
  const soap = options.soapNamespace ?? SOAP11;
  const der = new X509Certificate(options.signer.certificatePem).raw.toString('base64');
  const header = (name: string, id: string, value: string | null) =>
    value === null ? '' : `<wsa:${name} wsu:Id="${id}">${escape(value)}</wsa:${name}>`;
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<soap:Envelope xmlns:soap="${soap}" xmlns:wsa="${WSA}" xmlns:wsu="${WSU}">` +
    `<soap:Header>` +
    `<wsse:Security xmlns:wsse="${WSSE}" soap:mustUnderstand="1">` +
    `<wsu:Timestamp wsu:Id="TS-1"><wsu:Created>${created.toISOString()}</wsu:Created>` +
    (expires === null ? '' : `<wsu:Expires>${expires.toISOString()}</wsu:Expires>`) +
    `</wsu:Timestamp>` +
    `<wsse:BinarySecurityToken EncodingType="${BASE64_BINARY}" ValueType="${X509V3}" wsu:Id="X509-1">${der}</wsse:BinarySecurityToken>` +
    `</wsse:Security>` +
    header('To', 'id-to', options.to) +
    header('Action', 'id-action', action) +
    header('MessageID', 'id-msg', messageId) +
    `</soap:Header>` +
    `<soap:Body wsu:Id="id-body">` +
    `<aan:aanleverRequest xmlns:aan="${KV}">` +
    `<aan:berichtsoort>Omzetbelasting</aan:berichtsoort>` +
    `<aan:aanleverkenmerk>${escape(options.aanleverkenmerk ?? `hostile-${randomUUID().slice(0, 8)}`)}</aan:aanleverkenmerk>` +
    `<aan:identiteitBelanghebbende><aan:nummer>001000044B37</aan:nummer><aan:type>Fi</aan:type></aan:identiteitBelanghebbende>` +
    `<aan:rolBelanghebbende>Bedrijf</aan:rolBelanghebbende>` +
    `<aan:berichtInhoud><aan:mimeType>application/xml</aan:mimeType><aan:bestandsnaam>omzetbelasting.xbrl</aan:bestandsnaam>` +
    `<aan:inhoud>${options.content.toString('base64')}</aan:inhoud></aan:berichtInhoud>` +
    `</aan:aanleverRequest>` +
    `</soap:Body>` +
    `</soap:Envelope>`;
  return { xml, messageId: messageId ?? undefined, action: action ?? undefined };
}

/**
 * A signed aanleveren request: one reference per signed part (Timestamp, each wsa header present, Body), exc-c14n,
 * RSA-SHA256 and SHA-256 unless overridden, KeyInfo a direct reference to the BinarySecurityToken.
 */
export function aanleverRequest(options: AanleverRequestOptions): BuiltRequest {
  const unsigned = unsignedAanleverRequest(options);
  const xml = options.beforeSigning ? options.beforeSigning(unsigned.xml) : unsigned.xml;
  const signer = new SignedXml({
    privateKey: options.signer.privateKeyPem,
    idMode: 'wssecurity',
    canonicalizationAlgorithm: options.canonicalization ?? EXC_C14N,
    signatureAlgorithm: options.signatureAlgorithm ?? RSA_SHA256,
    getKeyInfoContent: () =>
      `<wsse:SecurityTokenReference xmlns:wsse="${WSSE}"><wsse:Reference URI="#X509-1" ValueType="${X509V3}"/></wsse:SecurityTokenReference>`,
  });
  const parts: string[] = [PART_XPATH.Timestamp];
  if (options.to !== null) parts.push(PART_XPATH.To);
  if (options.action !== null) parts.push(PART_XPATH.Action);
  if (options.messageId !== null) parts.push(PART_XPATH.MessageID);
  parts.push(PART_XPATH.Body, ...(options.extraReferences ?? []));
  for (const xpath of parts) {
    signer.addReference({ xpath, transforms: [...(options.transforms ?? [EXC_C14N])], digestAlgorithm: options.digestAlgorithm ?? SHA256 });
  }
  signer.computeSignature(xml, { prefix: 'ds', location: { reference: "//*[local-name(.)='Security']", action: 'append' } });
  const signed = signer.getSignedXml();
  return { ...unsigned, xml: options.afterSigning ? options.afterSigning(signed) : signed };
}

/** Replaces exactly one occurrence: a mutation that silently matches nothing (or twice) would test nothing. */
export function editOnce(xml: string, from: string | RegExp, to: string): string {
  const count = typeof from === 'string'
    ? xml.split(from).length - 1
    : (xml.match(new RegExp(from.source, `${from.flags.replace('g', '')}g`)) ?? []).length;
  if (count !== 1) throw new Error(`expected exactly one ${String(from)} in the request, found ${count}`);
  return typeof from === 'string' ? xml.replace(from, () => to) : xml.replace(from, to);
}

/** The signed soap:Body element, as text. */
export function bodyOf(xml: string): string {
  const match = /<soap:Body wsu:Id="id-body">[\s\S]*<\/soap:Body>/.exec(xml);
  if (!match) throw new Error('no signed soap:Body in the request');
  return match[0];
}

export function elementText(xml: string, qname: string): string {
  const match = new RegExp(`<${qname}[\\s>][\\s\\S]*?</${qname}>`).exec(xml);
  if (!match) throw new Error(`no ${qname} in the request`);
  return match[0];
}

/** Puts a DOCTYPE (with an internal subset) between the XML declaration and the Envelope. */
export function withDoctype(xml: string, internalSubset: string): string {
  return editOnce(xml, '<soap:Envelope ', `<!DOCTYPE soap:Envelope [${internalSubset}]>\n<soap:Envelope `);
}

// ---------------------------------------------------------------------------------------------------------------
// Sending

export interface SoapExchange {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: string;
  readonly fault: ParsedFault | undefined;
  readonly elapsedMs: number;
}

export interface ParsedFault {
  /** faultcode as sent, e.g. soapenv:Client. */
  readonly faultcode: string;
  /** Namespace URI the faultcode's prefix is bound to. */
  readonly faultcodeNamespace: string | null;
  /** Local part of faultcode: Client or Server. */
  readonly faultcodeLocal: string;
  readonly faultstring: string;
  readonly foutcode: string | undefined;
  readonly foutbeschrijving: string | undefined;
  /** Local name of the detail element (aanleverFault). */
  readonly detailElement: string | undefined;
  /** Whether the fault envelope carries a wsse:Security header (signed fault). */
  readonly signed: boolean;
}

export interface SendOptions {
  readonly contentType?: string;
  /** SOAPAction header value (quoted when sent); undefined sends none. */
  readonly soapAction?: string | undefined;
  readonly timeoutMs?: number;
}

/**
 * A two-way-TLS client for raw SOAP requests. It reads the answer while it writes, so a refusal that comes before the
 * whole body was sent (the server then closes) is heard rather than lost in a write error.
 */
export class RawSoapClient {
  constructor(
    private readonly pki: TestPki,
    private readonly as: TestClientName | 'anonymous',
  ) {}

  async post(url: string, body: string | Buffer, options: SendOptions = {}): Promise<SoapExchange> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const { port, pathname, search, host } = new URL(url);
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    const headers: [string, string][] = [
      ['host', host],
      ['content-type', options.contentType ?? 'text/xml; charset=utf-8'],
      ['content-length', String(bytes.length)],
    ];
    if (options.soapAction !== undefined) headers.push(['soapaction', `"${options.soapAction}"`]);
    const response = await rawExchange({ port: Number(port), pki: this.pki, as: this.as, steps: [requestHead('POST', `${pathname}${search}`, headers), bytes], timeoutMs });
    if (response.status === undefined) throw new Error(`no HTTP answer from ${url}: ${response.end} after ${response.elapsedMs} ms`);
    return {
      status: response.status,
      contentType: response.headers['content-type'],
      body: response.body,
      fault: parseFault(response.body),
      elapsedMs: response.elapsedMs,
    };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Reads soap:Fault (SOAP 1.1) from a response body with xmldom; undefined when there is none. */
export function parseFault(body: string): ParsedFault | undefined {
  if (!body.includes('Fault')) return undefined;
  let doc: ReturnType<DOMParser['parseFromString']>;
  try {
    doc = new DOMParser().parseFromString(body, 'text/xml');
  } catch {
    return undefined;
  }
  const fault = doc.getElementsByTagNameNS(SOAP11, 'Fault')[0];
  if (!fault) return undefined;
  const child = (localName: string) => {
    for (let node = fault.firstChild; node !== null; node = node.nextSibling) {
      if (node.nodeType === node.ELEMENT_NODE && node.localName === localName) return node;
    }
    return undefined;
  };
  const faultcodeNode = child('faultcode');
  const faultcode = (faultcodeNode?.textContent ?? '').trim();
  const [prefix, local] = faultcode.includes(':') ? faultcode.split(':', 2) : [null, faultcode];
  const detail = child('detail');
  let detailElement: string | undefined;
  for (let node = detail?.firstChild ?? null; node !== null; node = node.nextSibling) {
    if (node.nodeType === node.ELEMENT_NODE) {
      detailElement = node.localName ?? undefined;
      break;
    }
  }
  const text = (localName: string) => {
    // The foutType detail is the only koppelvlak content of a fault response.
    return doc.getElementsByTagNameNS(KV, localName)[0]?.textContent?.trim();
  };
  return {
    faultcode,
    faultcodeNamespace: faultcodeNode ? faultcodeNode.lookupNamespaceURI(prefix ?? null) : null,
    faultcodeLocal: local ?? '',
    faultstring: (child('faultstring')?.textContent ?? '').trim(),
    foutcode: text('foutcode'),
    foutbeschrijving: text('foutbeschrijving'),
    detailElement,
    signed: doc.getElementsByTagNameNS(WSSE, 'Security').length > 0,
  };
}

/** kenmerk of an aanleverResponse, if the body is one. */
export function kenmerkOf(body: string): string | undefined {
  const doc = new DOMParser().parseFromString(body, 'text/xml');
  return doc.getElementsByTagNameNS(KV, 'kenmerk')[0]?.textContent?.trim();
}
