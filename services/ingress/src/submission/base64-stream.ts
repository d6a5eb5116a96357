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
 * Decodes base64 as its text arrives in pieces of any length, holding at most `batchChars` of it: the bytes come out
 * in batches (so that a sink gets few large writes, not one per JSON string piece). The form is the one the
 * koppelvlak's base64Binary has in Poort (see isBase64 in aanlever-request.dto.ts): the plain alphabet, no whitespace,
 * at most two `=` at the very end, and a length that is a multiple of 4.
 */
export class Base64StreamDecoder {
  /** Text not yet decoded: checked and decoded a batch at a time (one scan of a flat batch is far cheaper than one per piece). */
  private pending = '';
  /** Where `pending` begins in the whole text. */
  private pendingAt = 0;
  private seen = 0;
  private padding = 0;

  // 64 Ki characters: below V8's large-object size, so each batch's text is young garbage that is collected at once.
  constructor(private readonly batchChars = 64 * 1024) {}

  /** Takes the next piece of text; returns the bytes decoded so far once a batch is full. */
  push(text: string): Buffer | undefined {
    const paddingAt = this.padding > 0 ? 0 : text.indexOf('=');
    if (paddingAt >= 0) {
      this.pending += text.slice(0, paddingAt);
      // A bad character before the padding is the first problem, so it is the one reported.
      this.check();
      for (let index = paddingAt; index < text.length; index++) {
        const character = text[index]!;
        if (character !== '=') {
          const problem: Base64Problem = OUTSIDE_ALPHABET.test(character) ? { reason: 'character', at: this.seen + index, character } : { reason: 'padding', at: this.seen + paddingAt };
          throw new Base64Error(problem);
        }
        if (++this.padding > 2) throw new Base64Error({ reason: 'padding', at: this.seen + index });
      }
    } else {
      this.pending += text;
    }
    this.seen += text.length;
    if (this.pending.length < this.batchChars) return undefined;
    // Whole quads only: the rest waits for the next piece.
    const whole = this.pending.length - (this.pending.length % 4);
    const quads = this.pending.slice(0, whole);
    const bytes = Buffer.from(quads, 'base64');
    // Node's decoder skips what is not base64, so fewer bytes than 3 per 4 characters betray a bad character; it also
    // takes base64url's - and _, which the koppelvlak's base64 does not have. (Much cheaper than a regex scan.)
    if (bytes.byteLength !== (whole / 4) * 3 || quads.includes('-') || quads.includes('_')) {
      this.check();
      throw new Error('base64 decoded short, yet no character is outside the alphabet');
    }
    this.pending = this.pending.slice(whole);
    this.pendingAt += whole;
    return bytes;
  }

  /** The text is complete: the last bytes, or a Base64Error if the text as a whole is not base64. */
  end(): Buffer {
    this.check();
    if (this.seen % 4 !== 0) throw new Base64Error({ reason: 'length', length: this.seen });
    const bytes = Buffer.from(this.pending, 'base64');
    this.pending = '';
    return bytes;
  }

  private check(): void {
    const bad = OUTSIDE_ALPHABET.exec(this.pending);
    if (bad) throw new Base64Error({ reason: 'character', at: this.pendingAt + bad.index, character: bad[0] });
  }
}
