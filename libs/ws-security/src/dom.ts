import { XmlElement, XmlText, type XmlNode } from '@poort/xml';
import { WsSecurityError, type WsSecurityErrorCode } from './errors.js';

/*
 * Strict reading of the security-relevant structure. Container elements (Envelope, Header, Security, Signature,
 * SignedInfo, …) may hold elements and whitespace only; value elements (DigestValue, Created, …) hold text only.
 * Comments, processing instructions and CDATA sections are refused in both: a signer never writes them there,
 * and a comment splitting a value is the classic way to make two parsers read two different values.
 */

const WHITESPACE = /^[ \t\r\n]*$/;

export function isElement(node: XmlNode | null | undefined, namespaceUri: string, localName: string): node is XmlElement {
  return node instanceof XmlElement && node.name === localName && node.namespaceUri === namespaceUri;
}

/** Like {@link isElement} for a node already known to be an element. */
export function hasName(element: XmlElement, namespaceUri: string, localName: string): boolean {
  return element.name === localName && element.namespaceUri === namespaceUri;
}

/** `{namespace}local` of an element, for messages. */
export function qname(element: XmlElement): string {
  const ns = element.namespaceUri;
  return ns === '' ? element.name : `{${ns}}${element.name}`;
}

/** The element children of a container element; anything but elements and whitespace text is refused with `code`. */
export function elementChildren(parent: XmlElement, code: WsSecurityErrorCode): XmlElement[] {
  const out: XmlElement[] = [];
  for (let node = parent.firstChild; node !== null; node = node.next) {
    if (node instanceof XmlElement) {
      out.push(node);
    } else if (!(node instanceof XmlText) || !WHITESPACE.test(node.content)) {
      throw new WsSecurityError(code, `${qname(parent)} may contain only elements and whitespace`);
    }
  }
  return out;
}

/** Text of a value element that must hold nothing but text (no comments, elements, PIs or CDATA). */
export function textOnly(element: XmlElement, code: WsSecurityErrorCode): string {
  let text = '';
  for (let node = element.firstChild; node !== null; node = node.next) {
    if (!(node instanceof XmlText)) throw new WsSecurityError(code, `${qname(element)} must contain text only`);
    text += node.content;
  }
  return text;
}

/** Value of the attribute `{namespaceUri}localName` ('' for no namespace), or undefined. */
export function attributeNS(element: XmlElement, namespaceUri: string, localName: string): string | undefined {
  for (const attr of element.attrs) {
    if (attr.name === localName && attr.namespaceUri === namespaceUri) return attr.value;
  }
  return undefined;
}

/** True when `node` is `ancestor` or lies below it. */
export function isWithin(node: XmlNode, ancestor: XmlElement): boolean {
  for (let current: XmlNode | null = node; current !== null; current = current.parent) {
    if (current.isSameNode(ancestor)) return true;
  }
  return false;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64_WHITESPACE = /[ \t\r\n]+/g;

/** Strict base64 (XML Schema base64Binary: whitespace allowed, nothing else), or undefined. */
export function decodeBase64(text: string): Buffer | undefined {
  const compact = text.replace(BASE64_WHITESPACE, '');
  if (compact.length === 0 || !BASE64.test(compact)) return undefined;
  return Buffer.from(compact, 'base64');
}
