import { ParseOption, XmlDocument, XmlLibError } from 'libxml2-wasm';
import { toDiagnostic, XmlError, type XmlErrorCode } from './errors.js';
import { resolveLimits, type XmlLimits } from './limits.js';
import { scanMarkup, scannableBytes } from './markup-scan.js';

export type XmlInput = Uint8Array | string;

// No NOENT (entity substitution), no DTDLOAD/DTDATTR/DTDVALID, no XINCLUDE: a DOCTYPE never reaches
// libxml2 anyway, these only make sure nothing is loaded should one slip through.
// HUGE lifts libxml2's 10 MB text node cap (a base64 payload in a 20 MiB SOAP message exceeds it) and
// raises its depth cap from 256 to 2048; size and depth are bounded by XmlLimits before libxml2 runs.
const SAFE_PARSE_OPTIONS = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE
  | ParseOption.XML_PARSE_NO_SYS_CATALOG | ParseOption.XML_PARSE_HUGE;

/**
 * Parses untrusted XML safely. The caller owns the returned document and must `dispose()` it;
 * prefer {@link withXmlDocument}.
 *
 * @throws {XmlError} XML_TOO_LARGE, XML_DOCTYPE_FORBIDDEN, XML_ENCODING_UNSUPPORTED, XML_TOO_DEEP,
 *   XML_TOO_MANY_ATTRIBUTES, XML_TOO_MANY_NAMESPACES or XML_MALFORMED.
 */
export function parseXml(input: XmlInput, limits?: Partial<XmlLimits>): XmlDocument {
  const resolved = resolveLimits(limits);
  const fromString = typeof input === 'string';
  // A UTF-16 code unit is at least one UTF-8 byte, so over-long strings are refused before encoding.
  if (fromString && input.length > resolved.maxBytes) throw tooLarge(input.length, resolved.maxBytes);
  const bytes = fromString ? new TextEncoder().encode(input) : input;
  if (bytes.byteLength > resolved.maxBytes) throw tooLarge(bytes.byteLength, resolved.maxBytes);
  if (bytes.byteLength === 0) throw new XmlError('XML_MALFORMED', 'XML is not well-formed: the document is empty');

  scanMarkup(scannableBytes(bytes), resolved);

  let doc: XmlDocument;
  try {
    // String input was encoded to UTF-8 above, whatever its XML declaration says.
    doc = XmlDocument.fromBuffer(bytes, fromString
      ? { option: SAFE_PARSE_OPTIONS, encoding: 'utf-8' }
      : { option: SAFE_PARSE_OPTIONS });
  } catch (error) {
    throw fromParseFailure(error);
  }
  if (doc.dtd !== null) {
    doc.dispose();
    throw new XmlError('XML_DOCTYPE_FORBIDDEN', 'Document type declarations (DOCTYPE) are not allowed');
  }
  return doc;
}

/**
 * Parses `input`, runs `fn` with the document and disposes the document afterwards, also when `fn`
 * throws or (for an async `fn`) when its promise settles. Do not keep nodes of the document past `fn`.
 */
export function withXmlDocument<T>(input: XmlInput, fn: (doc: XmlDocument) => T, limits?: Partial<XmlLimits>): T {
  const doc = parseXml(input, limits);
  let result: T;
  try {
    result = fn(doc);
  } catch (error) {
    doc.dispose();
    throw error;
  }
  if (isPromiseLike(result)) {
    return Promise.resolve(result).finally(() => doc.dispose()) as T;
  }
  doc.dispose();
  return result;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function tooLarge(size: number, max: number): XmlError {
  return new XmlError('XML_TOO_LARGE', `XML document of ${size} bytes exceeds the maximum of ${max} bytes`);
}

function fromParseFailure(error: unknown): XmlError {
  if (!(error instanceof XmlLibError)) {
    return new XmlError('XML_MALFORMED', `XML is not well-formed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const details = error.details.map(toDiagnostic);
  const first = details[0];
  if (first === undefined) {
    return new XmlError('XML_MALFORMED', 'XML is not well-formed: libxml2 could not parse the document', { cause: error });
  }
  const code = libxml2ErrorCode(details.map((d) => d.message));
  return new XmlError(code, code === 'XML_MALFORMED' ? `XML is not well-formed: ${first.message}` : first.message, {
    line: first.line,
    column: first.column,
    details,
    cause: error,
  });
}

function libxml2ErrorCode(messages: string[]): XmlErrorCode {
  if (messages.some((m) => m.startsWith('Excessive depth'))) return 'XML_TOO_DEEP';
  if (messages.some((m) => m.startsWith('Resource limit exceeded'))) return 'XML_TOO_LARGE';
  if (messages.some((m) => m.startsWith('Unsupported encoding'))) return 'XML_ENCODING_UNSUPPORTED';
  return 'XML_MALFORMED';
}
