/**
 * What a GET asks of a file of `size` bytes (RFC 9110 §14): the whole file, one byte range of it, or a range it cannot
 * have (416). More than one range is answered with the whole file, as RFC 9110 allows a server to; so is a Range that
 * is not of bytes or does not parse (ignored, §14.2), and a Range whose If-Range validator no longer matches.
 */
export type RangeRequest =
  | { readonly kind: 'whole' }
  | { readonly kind: 'partial'; readonly start: number; readonly end: number }
  | { readonly kind: 'unsatisfiable' };

const WHOLE: RangeRequest = { kind: 'whole' };
const SPEC = /^\s*(\d*)\s*-\s*(\d*)\s*$/;

export function rangeRequest(size: number, range: string | undefined, ifRange: string | undefined, etag: string): RangeRequest {
  if (range === undefined) return WHOLE;
  // If-Range with a date (or another tag) is not ours to compare: the whole file, which is always right.
  if (ifRange !== undefined && ifRange.trim() !== etag) return WHOLE;
  const match = /^\s*bytes\s*=(.*)$/i.exec(range);
  if (!match) return WHOLE;
  const specs = match[1]!.split(',').filter((spec) => spec.trim() !== '');
  if (specs.length !== 1) return WHOLE;
  const parts = SPEC.exec(specs[0]!);
  if (!parts) return WHOLE;
  const [, first = '', last = ''] = parts;
  if (first === '' && last === '') return WHOLE;
  if (first === '') {
    // bytes=-n: the last n bytes.
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return WHOLE; // invalid: ignored
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end };
}
