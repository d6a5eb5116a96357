import { XmlC14NMode, XmlDocument, type XmlNode, type XmlOutputBufferHandler } from 'libxml2-wasm';
import { XmlError } from './errors.js';

export interface ExclusiveC14NOptions {
  /** `http://www.w3.org/2001/10/xml-exc-c14n#WithComments` when true. Default false. */
  withComments?: boolean;
  /** The InclusiveNamespaces PrefixList of the transform; use `#default` for the default namespace. */
  inclusiveNamespacePrefixes?: string[];
}

/**
 * Exclusive XML Canonicalization 1.0 (http://www.w3.org/2001/10/xml-exc-c14n#) of a whole document or
 * of the subtree rooted at `target`, as UTF-8 bytes (what a digest or signature is computed over).
 */
export function canonicalizeExclusive(target: XmlDocument | XmlNode, options: ExclusiveC14NOptions = {}): Uint8Array {
  const sink = new ByteSink();
  const c14nOptions = {
    mode: XmlC14NMode.XML_C14N_EXCLUSIVE_1_0,
    withComments: options.withComments ?? false,
    ...(options.inclusiveNamespacePrefixes === undefined ? {} : { inclusiveNamespacePrefixes: options.inclusiveNamespacePrefixes }),
  };
  try {
    if (target instanceof XmlDocument) target.canonicalize(sink, c14nOptions);
    // A node set keeps the visibility test inside wasm; the subtree helper calls back into JavaScript for every
    // node of the document, which made canonicalization the larger part of a signature check.
    else target.doc.canonicalize(sink, { ...c14nOptions, nodeSet: new Set([target]) });
  } catch (error) {
    throw new XmlError('XML_INTERNAL', `Exclusive canonicalization failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return sink.bytes();
}

class ByteSink implements XmlOutputBufferHandler {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  write(buf: Uint8Array): number {
    // buf is a view into wasm memory that libxml2 reuses: copy it
    this.chunks.push(buf.slice());
    this.length += buf.byteLength;
    return buf.byteLength;
  }

  close(): boolean {
    return true;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return out;
  }
}
