import { createHash, createPrivateKey, randomUUID, sign as rsaSign, X509Certificate, type KeyObject } from 'node:crypto';
import { canonicalizeExclusive, withXmlDocument } from '@poort/xml';
import { DIGEST_SHA256, SIGNATURE_RSA_SHA256 } from './algorithms.js';
import { canonicalElement, canonicalText, isNcName } from './canonical-xml.js';
import { WsSecurityError } from './errors.js';
import { BASE64_BINARY_ENCODING, EXC_C14N_ALGORITHM, NS, X509V3_VALUE_TYPE } from './namespaces.js';

export interface SigningCredentials {
  certificatePem: string;
  privateKeyPem: string;
}

export interface SignMessageOptions {
  /** The request's ds:SignatureValue (base64), echoed as wsse11:SignatureConfirmation/@Value (WB014). */
  signatureConfirmation?: string;
  now?: Date;
  /** Expires = Created + ttlMs; default 5 minutes. */
  ttlMs?: number;
  /**
   * The largest soap:Body the signer parses (once, to canonicalise it); default @poort/xml's 20 MiB. A body that
   * carries 20 MiB of content as base64 is larger: its writer, who knows what it wrote, may allow more.
   */
  maxBodyBytes?: number;
}

const DEFAULT_TTL_MS = 300_000;

interface SigningKey {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly certificate: X509Certificate;
  readonly privateKey: KeyObject;
}

/**
 * The parsed and checked pair, per credentials object: reading the PEM texts and matching key to certificate cost half
 * as much as the RSA signature itself, on every response. Kept only while the object holds the same texts.
 */
const signingKeys = new WeakMap<SigningCredentials, SigningKey>();

function signingKeyOf(credentials: SigningCredentials): SigningKey {
  const known = signingKeys.get(credentials);
  if (known && known.certificatePem === credentials.certificatePem && known.privateKeyPem === credentials.privateKeyPem) return known;
  const certificate = new X509Certificate(credentials.certificatePem);
  const privateKey = createPrivateKey(credentials.privateKeyPem);
  if (privateKey.asymmetricKeyType !== 'rsa' || !certificate.checkPrivateKey(privateKey)) {
    throw new WsSecurityError('WSS_TOKEN', 'The signing key must be the RSA private key of the signing certificate');
  }
  const key = { certificatePem: credentials.certificatePem, privateKeyPem: credentials.privateKeyPem, certificate, privateKey };
  signingKeys.set(credentials, key);
  return key;
}

/** A text-only SOAP header block, such as a WS-Addressing header. */
export interface TextHeaderBlock {
  readonly namespaceUri: string;
  readonly prefix: string;
  readonly localName: string;
  readonly text: string;
  /**
   * The text sits in one child element of this local name, in the block's namespace: wsa:ReplyTo and wsa:From
   * carry their address as `<wsa:Address>…</wsa:Address>`.
   */
  readonly child?: string;
}

/** A SOAP 1.1 message to sign: its text-only header blocks and the content of its soap:Body. */
export interface UnsignedSoapMessage {
  readonly headers: readonly TextHeaderBlock[];
  /**
   * The content of soap:Body: well-formed XML that may use the envelope's prefix `soapenv` (SOAP 1.1) and declares
   * every other prefix it uses.
   */
  readonly body: string;
}

/** The prefixes of the envelope and of the security header; a header block may use one only for its own namespace. */
const PREFIXES = { soapenv: NS.soap11, wsse: NS.wsse, wsu: NS.wsu, ds: NS.ds, wsse11: NS.wsse11 } as const;

/**
 * Writes and signs a SOAP 1.1 message: a wsu:Id on each header block and on soap:Body, a wsse:Security header
 * (mustUnderstand="1") with wsu:Timestamp, an X509v3 BinarySecurityToken, an optional wsse11:SignatureConfirmation
 * and a ds:Signature (exc-c14n, RSA-SHA256, SHA-256 digests, one Reference per signed part including the
 * SignatureConfirmation).
 *
 * Every signed part is written in its exclusive canonical form, which is also its canonical form inside the
 * envelope (exc-c14n renders an apex element's visibly used namespaces, declared here on the element itself), so
 * its digest is taken over the text as written. Only the body, which the caller writes, is parsed once to
 * canonicalise it.
 *
 * @throws {WsSecurityError} WSS_ENVELOPE for a header block that is not a plain qualified name or that takes one of
 *   the envelope's prefixes, or a body that is not well-formed; WSS_TOKEN for a certificate/key that is not a
 *   matching RSA pair.
 */
export function signSoapMessage(
  message: UnsignedSoapMessage,
  credentials: SigningCredentials,
  options: SignMessageOptions = {},
): string {
  const { certificate, privateKey } = signingKeyOf(credentials);
  const created = options.now ?? new Date();
  const expires = new Date(created.getTime() + (options.ttlMs ?? DEFAULT_TTL_MS));
  const idAttribute = (id: string) => ({ namespaceUri: NS.wsu, name: 'wsu:Id', value: id });
  const signed: { id: string; canonical: string }[] = [];
  const signedPart = (id: string, canonical: string): string => {
    signed.push({ id, canonical });
    return canonical;
  };

  const timestampId = newId('TS');
  const timestamp = signedPart(timestampId, canonicalElement({
    name: 'wsu:Timestamp',
    namespaces: { wsu: NS.wsu },
    attributes: [idAttribute(timestampId)],
    content: `<wsu:Created>${created.toISOString()}</wsu:Created><wsu:Expires>${expires.toISOString()}</wsu:Expires>`,
  }));
  const headers = message.headers.map((block) => {
    checkHeaderBlock(block);
    const id = newId('id');
    return signedPart(id, canonicalElement({
      name: `${block.prefix}:${block.localName}`,
      namespaces: { [block.prefix]: block.namespaceUri, wsu: NS.wsu },
      attributes: [idAttribute(id)],
      content: block.child === undefined
        ? canonicalText(block.text)
        : `<${block.prefix}:${block.child}>${canonicalText(block.text)}</${block.prefix}:${block.child}>`,
    }));
  });
  const bodyId = newId('id');
  const body = signedPart(
    bodyId,
    canonicalBody(`<soapenv:Body xmlns:soapenv="${NS.soap11}" xmlns:wsu="${NS.wsu}" wsu:Id="${bodyId}">${message.body}</soapenv:Body>`, options.maxBodyBytes),
  );
  let confirmation = '';
  if (options.signatureConfirmation !== undefined) {
    const confirmationId = newId('SC');
    confirmation = signedPart(confirmationId, canonicalElement({
      name: 'wsse11:SignatureConfirmation',
      namespaces: { wsse11: NS.wsse11, wsu: NS.wsu },
      attributes: [{ name: 'Value', value: options.signatureConfirmation }, idAttribute(confirmationId)],
      content: '',
    }));
  }

  const references = signed.map(({ id, canonical }) => {
    const digest = createHash('sha256').update(canonical, 'utf8').digest('base64');
    return `<ds:Reference URI="#${id}"><ds:Transforms><ds:Transform Algorithm="${EXC_C14N_ALGORITHM}"></ds:Transform></ds:Transforms>`
      + `<ds:DigestMethod Algorithm="${DIGEST_SHA256}"></ds:DigestMethod><ds:DigestValue>${digest}</ds:DigestValue></ds:Reference>`;
  });
  const signedInfo = canonicalElement({
    name: 'ds:SignedInfo',
    namespaces: { ds: NS.ds },
    content: `<ds:CanonicalizationMethod Algorithm="${EXC_C14N_ALGORITHM}"></ds:CanonicalizationMethod>`
      + `<ds:SignatureMethod Algorithm="${SIGNATURE_RSA_SHA256}"></ds:SignatureMethod>${references.join('')}`,
  });
  const signatureValue = rsaSign('sha256', Buffer.from(signedInfo, 'utf8'), privateKey).toString('base64');
  const tokenId = newId('X509');
  const token = `<wsse:BinarySecurityToken EncodingType="${BASE64_BINARY_ENCODING}" ValueType="${X509V3_VALUE_TYPE}" wsu:Id="${tokenId}">`
    + `${certificate.raw.toString('base64')}</wsse:BinarySecurityToken>`;
  const signature = `<ds:Signature>${signedInfo}<ds:SignatureValue>${signatureValue}</ds:SignatureValue>`
    + `<ds:KeyInfo><wsse:SecurityTokenReference><wsse:Reference URI="#${tokenId}" ValueType="${X509V3_VALUE_TYPE}"/>`
    + `</wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature>`;
  const security = `<wsse:Security xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}" xmlns:ds="${NS.ds}" soapenv:mustUnderstand="1">`
    + `${timestamp}${token}${confirmation}${signature}</wsse:Security>`;
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${NS.soap11}">`
    + `<soapenv:Header>${security}${headers.join('')}</soapenv:Header>${body}</soapenv:Envelope>`;
}

function checkHeaderBlock(block: TextHeaderBlock): void {
  // Prefixes that start with "xml" are the Namespaces spec's own.
  if (!isNcName(block.prefix) || !isNcName(block.localName) || /^xml/i.test(block.prefix) || (block.child !== undefined && !isNcName(block.child))) {
    throw new WsSecurityError('WSS_ENVELOPE', `Cannot sign a header block named ${block.prefix}:${block.localName}`);
  }
  const reserved = (PREFIXES as Record<string, string>)[block.prefix];
  if (reserved !== undefined && reserved !== block.namespaceUri) {
    throw new WsSecurityError('WSS_ENVELOPE', `Cannot sign a header block with prefix ${block.prefix}: it is the envelope's prefix for ${reserved}`);
  }
  if (block.namespaceUri === '') throw new WsSecurityError('WSS_ENVELOPE', 'A header block must be in a namespace');
}

/** soap:Body in its exclusive canonical form, from its own small document: the same bindings are in scope there. */
function canonicalBody(bodyElement: string, maxBytes: number | undefined): string {
  try {
    return withXmlDocument(bodyElement, (doc) => Buffer.from(canonicalizeExclusive(doc)).toString('utf8'), maxBytes === undefined ? undefined : { maxBytes });
  } catch (error) {
    throw new WsSecurityError('WSS_ENVELOPE', `The body to sign is not well-formed XML: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function newId(kind: string): string {
  return `${kind}-${randomUUID()}`;
}
