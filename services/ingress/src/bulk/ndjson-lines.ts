export interface NdjsonLimits {
  /** A line longer than this (without its line end) is not kept: it becomes a `too-long` entry. */
  readonly maxLineBytes: number;
  /** The body may not pass this: the reading stops with an `over-total` entry where it does. */
  readonly maxTotalBytes: number;
}

/**
 * What the reader makes of a body: its non-blank lines, each a UTF-8 text or the reason it is not one; and, last,
 * `over-total` when the body passed its limit (what followed was not read).
 */
export type NdjsonEntry =
  | { readonly kind: 'line'; readonly text: string }
  | { readonly kind: 'too-long'; readonly bytes: number }
  | { readonly kind: 'not-utf8' }
  | { readonly kind: 'over-total'; readonly limit: number };

const NEWLINE = 0x0a;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const BLANK = /^[ \t]*$/;

/**
 * The lines of an NDJSON body as it streams in, however its chunks fall. At most one line is held at a time, and of a
 * line no more than maxLineBytes: the rest of a longer one is skipped as it passes, so memory stays bounded by the
 * limit whatever a client sends. `\r\n` ends a line as `\n` does; blank lines are no entries; the last line needs no
 * line end.
 */
export async function* ndjsonLines(body: AsyncIterable<Uint8Array>, limits: NdjsonLimits): AsyncGenerator<NdjsonEntry> {
  let parts: Buffer[] = [];
  let held = 0;
  /** Bytes of the current line beyond the limit's worth: it is too long and being skipped. */
  let skipped = 0;
  let total = 0;

  const end = (): NdjsonEntry | undefined => {
    const line = parts.length === 1 ? parts[0]! : Buffer.concat(parts, held);
    const tooLong = skipped > 0 ? held + skipped : 0;
    parts = [];
    held = 0;
    skipped = 0;
    if (tooLong > 0) return { kind: 'too-long', bytes: tooLong };
    const withoutCr = line.at(-1) === 0x0d ? line.subarray(0, -1) : line;
    if (withoutCr.byteLength > limits.maxLineBytes) return { kind: 'too-long', bytes: line.byteLength };
    let text: string;
    try {
      text = utf8.decode(withoutCr);
    } catch {
      return { kind: 'not-utf8' };
    }
    return BLANK.test(text) ? undefined : { kind: 'line', text };
  };

  const keep = (bytes: Buffer) => {
    if (skipped > 0) {
      skipped += bytes.byteLength;
      return;
    }
    // One byte over: room for the \r of a line of exactly the limit.
    const room = limits.maxLineBytes + 1 - held;
    if (bytes.byteLength <= room) {
      parts.push(bytes);
      held += bytes.byteLength;
      return;
    }
    skipped = bytes.byteLength;
    // Keep nothing of a line that is too long: only its length is reported.
    parts = [];
    skipped += held;
    held = 0;
  };

  for await (const chunk of body) {
    let bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (total + bytes.byteLength > limits.maxTotalBytes) {
      bytes = bytes.subarray(0, limits.maxTotalBytes - total);
      // Only complete lines count: what precedes the cut of its line is dropped with the rest.
      yield* linesOf(bytes, keep, end, true);
      yield { kind: 'over-total', limit: limits.maxTotalBytes };
      return;
    }
    total += bytes.byteLength;
    yield* linesOf(bytes, keep, end, false);
  }
  if (held > 0 || skipped > 0) {
    const entry = end();
    if (entry) yield entry;
  }
}

function* linesOf(bytes: Buffer, keep: (bytes: Buffer) => void, end: () => NdjsonEntry | undefined, cut: boolean): Generator<NdjsonEntry> {
  let start = 0;
  for (let newline = bytes.indexOf(NEWLINE, start); newline !== -1; newline = bytes.indexOf(NEWLINE, start)) {
    keep(bytes.subarray(start, newline));
    const entry = end();
    if (entry) yield entry;
    start = newline + 1;
  }
  if (!cut && start < bytes.byteLength) keep(bytes.subarray(start));
}
