import { XmlError } from './errors.js';
import type { XmlLimits } from './limits.js';

// A single forward pass over the raw bytes, before libxml2 sees them. It refuses DOCTYPEs (XXE, billion
// laughs and quadratic blowup all need one) and enforces the structural limits without building a tree.
// It never accepts a document on its own: anything it does not understand is left for libxml2 to reject.

const LT = 0x3c;
const GT = 0x3e;
const BANG = 0x21;
const QUESTION = 0x3f;
const SLASH = 0x2f;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const COLON = 0x3a;
const NEWLINE = 0x0a;

const COMMENT_OPEN = ascii('<!--');
const COMMENT_CLOSE = ascii('-->');
const CDATA_OPEN = ascii('<![CDATA[');
const CDATA_CLOSE = ascii(']]>');
const PI_CLOSE = ascii('?>');
const DOCTYPE = ascii('DOCTYPE');
const XMLNS = ascii('xmlns');

/**
 * Returns the bytes in an ASCII-compatible form for scanning: UTF-8 and single-byte encodings as they
 * are, UTF-16 transcoded to UTF-8. Encodings in which `<` is not byte 0x3C are refused.
 */
export function scannableBytes(bytes: Uint8Array): Uint8Array {
  const [b0, b1, b2, b3] = [bytes[0], bytes[1], bytes[2], bytes[3]];
  if ((b0 === 0x00 && b1 === 0x00) || (b0 === 0x3c && b1 === 0x00 && b2 === 0x00 && b3 === 0x00)) {
    throw new XmlError('XML_ENCODING_UNSUPPORTED', 'UCS-4/UTF-32 encoded XML is not supported');
  }
  if (b0 === 0x4c && b1 === 0x6f && b2 === 0xa7 && b3 === 0x94) {
    throw new XmlError('XML_ENCODING_UNSUPPORTED', 'EBCDIC encoded XML is not supported');
  }
  if ((b0 === 0xfe && b1 === 0xff) || (b0 === 0x00 && b1 === 0x3c)) return transcodeUtf16(bytes, 'utf-16be');
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0x3c && b1 === 0x00)) return transcodeUtf16(bytes, 'utf-16le');
  return bytes;
}

function transcodeUtf16(bytes: Uint8Array, label: 'utf-16le' | 'utf-16be'): Uint8Array {
  return new TextEncoder().encode(new TextDecoder(label).decode(bytes));
}

export function scanMarkup(b: Uint8Array, limits: XmlLimits): void {
  const n = b.length;
  let depth = 0;
  let pos = 0;
  while (pos < n) {
    const lt = b.indexOf(LT, pos);
    if (lt === -1) return;
    const next = b[lt + 1];
    if (next === QUESTION) {
      const end = indexOfSequence(b, PI_CLOSE, lt + 2);
      if (end === -1) return;
      pos = end + PI_CLOSE.length;
    } else if (next === BANG) {
      if (startsWithAt(b, COMMENT_OPEN, lt)) {
        const end = indexOfSequence(b, COMMENT_CLOSE, lt + COMMENT_OPEN.length);
        if (end === -1) return;
        pos = end + COMMENT_CLOSE.length;
      } else if (startsWithAt(b, CDATA_OPEN, lt)) {
        const end = indexOfSequence(b, CDATA_CLOSE, lt + CDATA_OPEN.length);
        if (end === -1) return;
        pos = end + CDATA_CLOSE.length;
      } else if (startsWithIgnoringCase(b, DOCTYPE, lt + 2)) {
        throw refuse(b, lt, 'XML_DOCTYPE_FORBIDDEN',
          'Document type declarations (DOCTYPE) are not allowed; DTDs and entities are refused to prevent XXE and entity expansion');
      } else {
        pos = lt + 2;
      }
    } else if (next === SLASH) {
      if (depth > 0) depth--;
      const gt = b.indexOf(GT, lt + 2);
      if (gt === -1) return;
      pos = gt + 1;
    } else {
      const tag = scanStartTag(b, lt, limits);
      if (tag === undefined) return;
      const elementDepth = depth + 1;
      if (elementDepth > limits.maxDepth) {
        throw refuse(b, lt, 'XML_TOO_DEEP', `Element nesting exceeds the maximum depth of ${limits.maxDepth}`);
      }
      if (tag.attributes > limits.maxAttributesPerElement) {
        throw refuse(b, lt, 'XML_TOO_MANY_ATTRIBUTES',
          `Element has ${tag.attributes} attributes, more than the maximum of ${limits.maxAttributesPerElement}`);
      }
      if (tag.namespaceDeclarations > limits.maxNamespaceDeclarationsPerElement) {
        throw refuse(b, lt, 'XML_TOO_MANY_NAMESPACES',
          `Element has ${tag.namespaceDeclarations} namespace declarations, more than the maximum of ${limits.maxNamespaceDeclarationsPerElement}`);
      }
      if (!tag.selfClosing) depth = elementDepth;
      pos = tag.end + 1;
    }
  }
}

interface StartTag {
  /** Index of the closing `>`. */
  end: number;
  selfClosing: boolean;
  attributes: number;
  namespaceDeclarations: number;
}

/**
 * Reads a start tag from its `<`. Linear in the tag length; stops counting once a limit is exceeded.
 * Returns undefined for a tag that does not end, which libxml2 will report.
 */
function scanStartTag(b: Uint8Array, lt: number, limits: XmlLimits): StartTag | undefined {
  let attributes = 0;
  let namespaceDeclarations = 0;
  // The last name-like token seen, i.e. the attribute name when an `=` follows.
  let tokenStart = -1;
  let tokenEnd = -1;
  let inToken = false;
  let i = lt + 1;
  while (i < b.length) {
    const c = b[i];
    if (c === DQUOTE || c === SQUOTE) {
      const close = b.indexOf(c, i + 1);
      if (close === -1) return undefined;
      inToken = false;
      i = close + 1;
      continue;
    }
    if (c === EQUALS) {
      if (isXmlnsName(b, tokenStart, tokenEnd)) namespaceDeclarations++;
      else attributes++;
      if (attributes > limits.maxAttributesPerElement || namespaceDeclarations > limits.maxNamespaceDeclarationsPerElement) {
        return { end: i, selfClosing: false, attributes, namespaceDeclarations };
      }
      inToken = false;
      tokenStart = -1;
    } else if (c === GT) {
      return { end: i, selfClosing: b[i - 1] === SLASH, attributes, namespaceDeclarations };
    } else if (c === LT) {
      return undefined;
    } else if (isWhitespace(c)) {
      inToken = false;
    } else {
      if (!inToken) tokenStart = i;
      inToken = true;
      tokenEnd = i + 1;
    }
    i++;
  }
  return undefined;
}

/** Whether b[start, end) is `xmlns` or `xmlns:*`. */
function isXmlnsName(b: Uint8Array, start: number, end: number): boolean {
  if (start < 0 || end - start < XMLNS.length || !startsWithAt(b, XMLNS, start)) return false;
  return end - start === XMLNS.length || b[start + XMLNS.length] === COLON;
}

function refuse(b: Uint8Array, at: number, code: 'XML_DOCTYPE_FORBIDDEN' | 'XML_TOO_DEEP' | 'XML_TOO_MANY_ATTRIBUTES' | 'XML_TOO_MANY_NAMESPACES', message: string): XmlError {
  let line = 1;
  let lineStart = 0;
  for (let nl = b.indexOf(NEWLINE); nl !== -1 && nl < at; nl = b.indexOf(NEWLINE, nl + 1)) {
    line++;
    lineStart = nl + 1;
  }
  return new XmlError(code, message, { line, column: at - lineStart + 1 });
}

function isWhitespace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function indexOfSequence(b: Uint8Array, seq: Uint8Array, from: number): number {
  const first = seq[0];
  for (let i = b.indexOf(first as number, from); i !== -1; i = b.indexOf(first as number, i + 1)) {
    if (startsWithAt(b, seq, i)) return i;
  }
  return -1;
}

function startsWithAt(b: Uint8Array, seq: Uint8Array, at: number): boolean {
  if (at + seq.length > b.length) return false;
  for (let k = 0; k < seq.length; k++) if (b[at + k] !== seq[k]) return false;
  return true;
}

function startsWithIgnoringCase(b: Uint8Array, upper: Uint8Array, at: number): boolean {
  if (at + upper.length > b.length) return false;
  for (let k = 0; k < upper.length; k++) {
    const c = b[at + k] as number;
    if ((c >= 0x61 && c <= 0x7a ? c - 0x20 : c) !== upper[k]) return false;
  }
  return true;
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0));
}
