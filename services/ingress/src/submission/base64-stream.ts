/** Why a base64 text is not one: a character outside the alphabet, or padding where none may be. */
export type Base64Problem =
  | { readonly reason: 'character'; readonly at: number; readonly character: string }
  | { readonly reason: 'padding'; readonly at: number }
  | { readonly reason: 'length'; readonly length: number };

export class Base64Error extends Error {
  constructor(readonly problem: Base64Problem) {
    super(describeBase64Problem(problem));
  }
}

export function describeBase64Problem(problem: Base64Problem): string {
  switch (problem.reason) {
    case 'character':
      return `teken ${JSON.stringify(problem.character)} op positie ${problem.at} hoort niet in base64`;
    case 'padding':
      return `opvulling (=) op positie ${problem.at} staat niet aan het eind`;
    case 'length':
      return `de lengte ${problem.length} is geen veelvoud van 4`;
  }
}

const OUTSIDE_ALPHABET = /[^A-Za-z0-9+/]/;

/**
 * Decodes base64 as its text arrives in pieces of any length, straight into a batch buffer of `batchBytes`: full
 * batches come out (so that a sink gets few large writes, not one per JSON string piece), and besides the batch only
 * up to 3 characters of a quad are held. The form is the one the koppelvlak's base64Binary has in Poort (see isBase64
 * in aanlever-request.dto.ts): the plain alphabet, no whitespace, at most two `=` at the very end, and a length that
 * is a multiple of 4.
 */
export class Base64StreamDecoder {
  private batch: Buffer;
  private filled = 0;
  /** The characters of an incomplete quad, waiting for the next piece. */
  private carry = '';
  private seen = 0;
  private padding = 0;

  // A multiple of 3, so that a batch ends on a quad. 48 KiB: below V8's large-object size.
  constructor(private readonly batchBytes = 48 * 1024) {
    this.batch = Buffer.allocUnsafe(batchBytes);
  }

  /** Takes the next piece of text; returns the batches it filled (usually none). */
  push(text: string): Buffer[] {
    const paddingAt = this.padding > 0 ? 0 : text.indexOf('=');
    const data = paddingAt < 0 ? text : text.slice(0, paddingAt);
    const out = this.decode(data);
    if (paddingAt >= 0) {
      for (let index = paddingAt; index < text.length; index++) {
        const character = text[index]!;
        if (character !== '=') {
          const problem: Base64Problem = OUTSIDE_ALPHABET.test(character) ? { reason: 'character', at: this.seen + index, character } : { reason: 'padding', at: this.seen + paddingAt };
          throw new Base64Error(problem);
        }
        if (++this.padding > 2) throw new Base64Error({ reason: 'padding', at: this.seen + index });
      }
    }
    this.seen += text.length;
    return out;
  }

  /** The text is complete: the last bytes, or a Base64Error if the text as a whole is not base64. */
  end(): Buffer {
    const bad = OUTSIDE_ALPHABET.exec(this.carry);
    if (bad) throw new Base64Error({ reason: 'character', at: this.seen - this.padding - this.carry.length + bad.index, character: bad[0] });
    if (this.seen % 4 !== 0) throw new Base64Error({ reason: 'length', length: this.seen });
    // A last quad of 2 or 3 characters (its padding left off) decodes to 1 or 2 bytes.
    const tail = Buffer.from(this.carry, 'base64');
    const last = Buffer.concat([this.batch.subarray(0, this.filled), tail]);
    this.filled = 0;
    this.carry = '';
    return last;
  }

  /** Decodes the whole quads of carry + data into the batch, keeping the rest as the new carry. */
  private decode(data: string): Buffer[] {
    const text = this.carry + data;
    const whole = text.length - (text.length % 4);
    const startsAt = this.seen - this.carry.length;
    this.carry = text.slice(whole);
    if (whole === 0) return [];
    const quads = whole === text.length ? text : text.slice(0, whole);
    const bytes = (whole / 4) * 3;
    const out: Buffer[] = [];
    let written = 0;
    for (let at = 0; at < whole; ) {
      const roomQuads = Math.floor((this.batchBytes - this.filled) / 3);
      if (roomQuads === 0) {
        out.push(this.take());
        continue;
      }
      const length = Math.min(roomQuads * 4, whole - at);
      const part = at === 0 && length === whole ? quads : quads.slice(at, at + length);
      const partBytes = this.batch.write(part, this.filled, 'base64');
      this.filled += partBytes;
      written += partBytes;
      at += length;
    }
    if (this.batchBytes - this.filled < 3) out.push(this.take());
    // Node's decoder skips what is not base64, so fewer bytes than 3 per 4 characters betray a bad character; it
    // also takes base64url's - and _, which the koppelvlak's base64 does not have. (Much cheaper than a regex scan.)
    if (written !== bytes || quads.includes('-') || quads.includes('_')) {
      const bad = OUTSIDE_ALPHABET.exec(quads);
      if (bad) throw new Base64Error({ reason: 'character', at: startsAt + bad.index, character: bad[0] });
      throw new Error('base64 decoded short, yet no character is outside the alphabet');
    }
    return out;
  }

  private take(): Buffer {
    const full = this.batch.subarray(0, this.filled);
    this.batch = Buffer.allocUnsafe(this.batchBytes);
    this.filled = 0;
    return full;
  }
}
