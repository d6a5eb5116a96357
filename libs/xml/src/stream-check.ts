import { SaxesParser, type SaxesTagNS } from 'saxes';

import type { XmlDiagnostic, XmlErrorCode } from './errors.js';
import { DEFAULT_XML_LIMITS, type XmlLimits } from './limits.js';

export interface StreamCheckOptions {
  /** The document element it must have (or one of them), in Clark notation: {namespace}localName. */
  readonly rootElement?: string | readonly string[];
  readonly limits?: Partial<Omit<XmlLimits, 'maxBytes'>>;
  /**
   * The longest comment, CDATA section, attribute value, name or processing instruction, in characters: the parser
   * holds each whole (text content it does not hold). Default 16 Mi.
   */
  readonly maxTokenChars?: number;
}

export type StreamCheckCode = Extract<XmlErrorCode, 'XML_MALFORMED' | 'XML_DOCTYPE_FORBIDDEN' | 'XML_ENCODING_UNSUPPORTED' | 'XML_TOO_LARGE' | 'XML_TOO_DEEP' | 'XML_TOO_MANY_ATTRIBUTES' | 'XML_TOO_MANY_NAMESPACES' | 'XML_ROOT_UNEXPECTED'>;

export type StreamCheckResult =
  | { readonly wellFormed: true; readonly rootElement: string; readonly bytes: number }
  /** The first problem; reading stopped there. */
  | { readonly wellFormed: false; readonly code: StreamCheckCode; readonly diagnostic: XmlDiagnostic; readonly bytes: number };

const DEFAULT_MAX_TOKEN_CHARS = 16 * 1024 * 1024;
const SLICE_BYTES = 64 * 1024;

/** What saxes accumulates while it reads a token; not in its types. */
interface SaxesBuffers {
  readonly text: string;
  readonly name: string;
  readonly entity: string;
  readonly piTarget: string;
}

/**
 * A document of any size checked as it streams, for contents too large to parse into a tree (libxml2-wasm has no
 * streaming reader): well-formed XML 1.0 with namespaces, UTF-8, no DOCTYPE (so no entity expansion and no external
 * entities), within the depth and attribute limits, with the expected document element. Memory stays at one piece of
 * the input plus the longest token. No schema is checked. Reading stops at the first problem (the source is closed).
 */
export async function checkXmlStream(source: AsyncIterable<Uint8Array>, options: StreamCheckOptions = {}): Promise<StreamCheckResult> {
  const limits = { ...DEFAULT_XML_LIMITS, ...options.limits };
  const maxTokenChars = options.maxTokenChars ?? DEFAULT_MAX_TOKEN_CHARS;
  const expected = options.rootElement === undefined ? [] : [options.rootElement].flat();
  const parser = new SaxesParser({ xmlns: true, position: true });
  const buffers = parser as unknown as SaxesBuffers;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let failure: { code: StreamCheckCode; diagnostic: XmlDiagnostic } | undefined;
  let rootElement: string | undefined;
  let depth = 0;
  let bytes = 0;

  const fail = (code: StreamCheckCode, message: string) => {
    failure ??= { code, diagnostic: { message: `${code}: ${message}`, line: parser.line, column: parser.column } };
  };
  parser.on('error', (error) => fail('XML_MALFORMED', error.message.replace(/^\d+:\d+: /, '')));
  parser.on('doctype', () => fail('XML_DOCTYPE_FORBIDDEN', 'a DOCTYPE is not allowed (entity expansion and external entities are refused)'));
  parser.on('xmldecl', ({ encoding }) => {
    if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) fail('XML_ENCODING_UNSUPPORTED', `encoding ${encoding}: a large document must be UTF-8`);
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    depth++;
    if (depth > limits.maxDepth) fail('XML_TOO_DEEP', `elements nested deeper than ${limits.maxDepth}`);
    const attributes = Object.values(tag.attributes);
    const declarations = attributes.filter((attribute) => attribute.prefix === 'xmlns' || attribute.name === 'xmlns').length;
    if (declarations > limits.maxNamespaceDeclarationsPerElement) fail('XML_TOO_MANY_NAMESPACES', `more than ${limits.maxNamespaceDeclarationsPerElement} namespace declarations on <${tag.name}>`);
    if (attributes.length - declarations > limits.maxAttributesPerElement) fail('XML_TOO_MANY_ATTRIBUTES', `more than ${limits.maxAttributesPerElement} attributes on <${tag.name}>`);
    if (rootElement === undefined) {
      rootElement = `{${tag.uri}}${tag.local}`;
      if (expected.length > 0 && !expected.includes(rootElement)) {
        fail('XML_ROOT_UNEXPECTED', `Element '${rootElement}': expected the document element ${expected.join(' or ')}.`);
      }
    }
  });
  parser.on('closetag', () => {
    depth--;
  });

  const write = (text: string) => {
    parser.write(text);
    const longest = Math.max(buffers.text.length, buffers.name.length, buffers.entity.length, buffers.piTarget.length);
    if (longest > maxTokenChars) fail('XML_TOO_LARGE', `a comment, CDATA section, attribute value or name longer than ${maxTokenChars} characters`);
  };
  reading: for await (const piece of source) {
    // In slices: the parser's garbage per write stays small (a 1 MiB piece at once took the peak RSS ~45 MB higher).
    for (let offset = 0; offset < piece.byteLength; offset += SLICE_BYTES) {
      const slice = piece.subarray(offset, offset + SLICE_BYTES);
      bytes += slice.byteLength;
      let text: string;
      try {
        text = decoder.decode(slice, { stream: true });
      } catch {
        fail('XML_ENCODING_UNSUPPORTED', 'the document is not valid UTF-8');
        break reading;
      }
      write(text);
      if (failure) break reading;
    }
  }
  if (!failure) {
    try {
      write(decoder.decode());
      parser.close();
    } catch {
      fail('XML_ENCODING_UNSUPPORTED', 'the document is not valid UTF-8');
    }
    if (!failure && rootElement === undefined) fail('XML_MALFORMED', 'the document has no document element');
  }
  if (failure) return { wellFormed: false, ...failure, bytes };
  return { wellFormed: true, rootElement: rootElement!, bytes };
}
