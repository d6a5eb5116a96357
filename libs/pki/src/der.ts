/**
 * The few DER facts the revocation code needs without a schema: the element boundaries of a SEQUENCE, so the exact
 * signed bytes (tbsCertificate, tbsCertList, tbsResponseData) and the encoded subject name can be taken from the input
 * as it was signed instead of being re-encoded.
 */

export interface DerElement {
  tag: number;
  /** The whole element: tag, length and contents. */
  bytes: Uint8Array;
  contents: Uint8Array;
}

/** The element that starts at `offset` of `input`. */
export function readDerElement(input: Uint8Array, offset = 0): DerElement {
  const tag = byteAt(input, offset);
  if ((tag & 0x1f) === 0x1f) throw new Error('DER: multi-byte tags are not supported');
  let cursor = offset + 1;
  const first = byteAt(input, cursor++);
  let length: number;
  if (first < 0x80) {
    length = first;
  } else {
    const count = first & 0x7f;
    if (count === 0 || count > 4) throw new Error('DER: indefinite or oversized length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + byteAt(input, cursor++);
  }
  const end = cursor + length;
  if (end > input.length) throw new Error('DER: element runs past the end of the input');
  return { tag, bytes: input.subarray(offset, end), contents: input.subarray(cursor, end) };
}

/** The elements inside a constructed element (a SEQUENCE, SET or explicit tag). */
export function derChildren(element: DerElement): DerElement[] {
  if ((element.tag & 0x20) === 0) throw new Error('DER: not a constructed element');
  const children: DerElement[] = [];
  let offset = 0;
  while (offset < element.contents.length) {
    const child = readDerElement(element.contents, offset);
    children.push(child);
    offset += child.bytes.length;
  }
  return children;
}

/** The first element of the outer SEQUENCE of a signed structure: the bytes the signature covers. */
export function signedPart(der: Uint8Array): Uint8Array {
  const [tbs] = derChildren(readDerElement(der));
  if (!tbs) throw new Error('DER: empty signed structure');
  return tbs.bytes;
}

function byteAt(input: Uint8Array, index: number): number {
  const value = input[index];
  if (value === undefined) throw new Error('DER: truncated input');
  return value;
}
