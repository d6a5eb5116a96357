import type { XmlDocument, XmlElement } from '@poort/xml';
import { elementChildren, hasName, isElement, qname } from './dom.js';
import { WsSecurityError } from './errors.js';
import { NS } from './namespaces.js';

/** The parts of a SOAP 1.1 envelope that WS-Security verification looks at, found by position, never by search. */
export interface EnvelopeParts {
  envelope: XmlElement;
  header: XmlElement;
  body: XmlElement;
  security: XmlElement;
  /** WS-Addressing 1.0 header blocks (direct children of soap:Header), by local name. */
  addressing: Map<string, XmlElement>;
}

/** The direct children of wsse:Security, each kind counted. */
export interface SecurityParts {
  timestamp: XmlElement;
  token: XmlElement;
  signature: XmlElement;
  signatureConfirmations: XmlElement[];
}

/**
 * Envelope with exactly one soap:Header and one soap:Body in that order; header blocks are exactly one
 * wsse:Security plus WS-Addressing 1.0 headers, each local name at most once. Anything else in Envelope or
 * Header is a place to hide signed content (WSS_WRAPPING).
 */
export function locateEnvelopeParts(doc: XmlDocument): EnvelopeParts {
  const envelope = doc.root;
  if (envelope.name === 'Envelope' && envelope.namespaceUri === NS.soap12) {
    throw new WsSecurityError('WSS_ENVELOPE', 'SOAP 1.2 envelopes are not accepted: WUS uses SOAP 1.1');
  }
  if (!isElement(envelope, NS.soap11, 'Envelope')) {
    throw new WsSecurityError('WSS_ENVELOPE', `The root element ${qname(envelope)} is not a SOAP 1.1 Envelope`);
  }
  const children = elementChildren(envelope, 'WSS_ENVELOPE');
  let header: XmlElement | undefined;
  let body: XmlElement | undefined;
  for (const child of children) {
    if (hasName(child, NS.soap11, 'Header') && header === undefined && body === undefined) {
      header = child;
    } else if (hasName(child, NS.soap11, 'Body') && body === undefined) {
      body = child;
    } else {
      throw new WsSecurityError('WSS_WRAPPING', `Unexpected ${qname(child)} in soap:Envelope: only one soap:Header followed by one soap:Body`);
    }
  }
  if (body === undefined) throw new WsSecurityError('WSS_ENVELOPE', 'The SOAP envelope has no soap:Body');
  if (header === undefined) throw new WsSecurityError('WSS_MISSING_SECURITY', 'The SOAP envelope has no soap:Header, so no wsse:Security');

  let security: XmlElement | undefined;
  const addressing = new Map<string, XmlElement>();
  for (const block of elementChildren(header, 'WSS_ENVELOPE')) {
    if (hasName(block, NS.wsse, 'Security')) {
      if (security !== undefined) throw new WsSecurityError('WSS_SIGNATURE_STRUCTURE', 'More than one wsse:Security header');
      security = block;
    } else if (block.namespaceUri === NS.wsa) {
      if (addressing.has(block.name)) throw new WsSecurityError('WSS_WRAPPING', `The WS-Addressing header wsa:${block.name} occurs more than once`);
      addressing.set(block.name, block);
    } else {
      throw new WsSecurityError('WSS_WRAPPING', `Unexpected header block ${qname(block)}: only wsse:Security and WS-Addressing headers are allowed`);
    }
  }
  if (security === undefined) throw new WsSecurityError('WSS_MISSING_SECURITY', 'The message has no wsse:Security header');
  return { envelope, header, body, security, addressing };
}

/** Exactly one wsu:Timestamp, one wsse:BinarySecurityToken and one ds:Signature; wsse11:SignatureConfirmation optional. */
export function locateSecurityParts(security: XmlElement): SecurityParts {
  const timestamps: XmlElement[] = [];
  const tokens: XmlElement[] = [];
  const signatures: XmlElement[] = [];
  const signatureConfirmations: XmlElement[] = [];
  for (const child of elementChildren(security, 'WSS_SIGNATURE_STRUCTURE')) {
    if (hasName(child, NS.wsu, 'Timestamp')) timestamps.push(child);
    else if (hasName(child, NS.wsse, 'BinarySecurityToken')) tokens.push(child);
    else if (hasName(child, NS.ds, 'Signature')) signatures.push(child);
    else if (hasName(child, NS.wsse11, 'SignatureConfirmation')) signatureConfirmations.push(child);
    else throw new WsSecurityError('WSS_WRAPPING', `Unexpected ${qname(child)} in wsse:Security`);
  }
  const [timestamp] = timestamps;
  if (timestamp === undefined || timestamps.length > 1) {
    throw new WsSecurityError('WSS_TIMESTAMP', `wsse:Security must hold exactly one wsu:Timestamp, found ${timestamps.length}`);
  }
  const [token] = tokens;
  if (token === undefined || tokens.length > 1) {
    throw new WsSecurityError('WSS_TOKEN', `wsse:Security must hold exactly one wsse:BinarySecurityToken, found ${tokens.length}`);
  }
  const [signature] = signatures;
  if (signature === undefined || signatures.length > 1) {
    throw new WsSecurityError('WSS_SIGNATURE_STRUCTURE', `wsse:Security must hold exactly one ds:Signature, found ${signatures.length}`);
  }
  return { timestamp, token, signature, signatureConfirmations };
}
