import { XmlElement, XmlError, parseXml, type XmlDocument, type XmlLimits } from '@poort/xml';

import { NS } from './namespaces.js';
import { WUS_CODE, clientFault } from './wus-fault.js';

/** The shape of a SOAP 1.1 request, before its security is checked. */
export interface SoapRequestShape {
  readonly doc: XmlDocument;
  readonly headerBlocks: readonly XmlElement[];
  readonly body: XmlElement;
}

/**
 * Checks the HTTP framing of a SOAP 1.1 request: `text/xml`, UTF-8. SOAP 1.2 (`application/soap+xml`) is refused:
 * WUS is SOAP 1.1 only.
 */
export function checkContentType(contentType: string | undefined): void {
  const [mediaType = '', ...parameters] = (contentType ?? '').split(';').map((part) => part.trim().toLowerCase());
  if (mediaType === 'application/soap+xml') throw clientFault(WUS_CODE.invalidEnvelope, 'SOAP 1.2 wordt niet ondersteund; gebruik SOAP 1.1 (text/xml)');
  if (mediaType !== 'text/xml') throw clientFault(WUS_CODE.invalidEnvelope, `content-type ${mediaType || '(geen)'} is geen text/xml`);
  const charset = parameters.find((parameter) => parameter.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  if (charset !== undefined && charset !== 'utf-8') throw clientFault(WUS_CODE.notUtf, `charset ${charset} wordt niet ondersteund; alleen UTF-8`);
}

const XML_DECLARATION_ENCODING = /^<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']/;

/**
 * Parses the request safely (@poort/xml: no DTDs, bounded size and depth) and checks the SOAP 1.1 envelope:
 * Envelope, Header, Body with exactly one element. The caller disposes `doc`.
 */
export function readSoapRequest(bytes: Uint8Array, limits: Partial<XmlLimits>): SoapRequestShape {
  checkUtf8(bytes);
  let doc: XmlDocument;
  try {
    doc = parseXml(bytes, limits);
  } catch (error) {
    if (error instanceof XmlError) {
      const code = error.code === 'XML_ENCODING_UNSUPPORTED' ? WUS_CODE.notUtf : WUS_CODE.invalidEnvelope;
      throw clientFault(code, `het bericht is geen geldige XML: ${error.message}`);
    }
    throw error;
  }
  try {
    return { doc, ...envelopeParts(doc.root) };
  } catch (error) {
    doc.dispose();
    throw error;
  }
}

function checkUtf8(bytes: Uint8Array): void {
  if ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe)) {
    throw clientFault(WUS_CODE.notUtf, 'het bericht is UTF-16; alleen UTF-8 is toegestaan');
  }
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const prolog = Buffer.from(bytes.subarray(start, start + 200)).toString('latin1');
  const encoding = XML_DECLARATION_ENCODING.exec(prolog)?.[1]?.toLowerCase();
  if (encoding !== undefined && encoding !== 'utf-8' && encoding !== 'utf8') {
    throw clientFault(WUS_CODE.notUtf, `encoding ${encoding} wordt niet ondersteund; alleen UTF-8`);
  }
}

function envelopeParts(root: XmlElement): { headerBlocks: XmlElement[]; body: XmlElement } {
  if (root.name === 'Envelope' && root.namespaceUri === NS.soap12) {
    throw clientFault(WUS_CODE.invalidEnvelope, 'SOAP 1.2 wordt niet ondersteund; gebruik SOAP 1.1');
  }
  if (root.name !== 'Envelope' || root.namespaceUri !== NS.soap11) {
    throw clientFault(WUS_CODE.invalidEnvelope, `het document element is {${root.namespaceUri}}${root.name}, geen SOAP 1.1 Envelope`);
  }
  const parts = childElements(root);
  const [header, body, ...rest] = parts;
  if (header === undefined || !isSoap(header, 'Header') || body === undefined || !isSoap(body, 'Body') || rest.length > 0) {
    throw clientFault(WUS_CODE.invalidEnvelope, 'de Envelope moet precies een Header en een Body bevatten, in die volgorde');
  }
  if (childElements(body).length !== 1) throw clientFault(WUS_CODE.invalidEnvelope, 'de Body moet precies één element bevatten');
  return { headerBlocks: childElements(header), body };
}

const isSoap = (element: XmlElement, name: string) => element.name === name && element.namespaceUri === NS.soap11;

/** Element children in document order; text between them is not looked at here (the XSD does that for payloads). */
export function childElements(parent: XmlElement): XmlElement[] {
  const children: XmlElement[] = [];
  for (let node = parent.firstChild; node !== null; node = node.next) {
    if (node instanceof XmlElement) children.push(node);
  }
  return children;
}

/** No custom header blocks: only WS-Addressing and one wsse:Security (WUS, domain.md 1.2). */
export function checkHeaderBlocks(blocks: readonly XmlElement[]): void {
  let security = 0;
  for (const block of blocks) {
    if (block.namespaceUri === NS.wsa) continue;
    if (block.namespaceUri === NS.wsse && block.name === 'Security') {
      security++;
      continue;
    }
    throw clientFault(WUS_CODE.foreignHeader, `header {${block.namespaceUri}}${block.name} is niet toegestaan; alleen WS-Addressing en WS-Security`);
  }
  if (security > 1) throw clientFault(WUS_CODE.foreignHeader, 'meer dan één wsse:Security header');
}
