import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { describe, test } from 'node:test';

import { Base64Error, Base64StreamDecoder } from '../src/submission/base64-stream.js';

/** Decodes `text` cut into random pieces, with a batch of `batchBytes`; every batch but the last must be full. */
function decode(text: string, batchBytes: number): Buffer {
  const decoder = new Base64StreamDecoder(batchBytes);
  const out: Buffer[] = [];
  for (let at = 0; at < text.length; ) {
    const length = randomInt(1, 20);
    for (const batch of decoder.push(text.slice(at, at + length))) {
      assert.equal(batch.byteLength, batchBytes);
      out.push(batch);
    }
    at += length;
  }
  out.push(decoder.end());
  return Buffer.concat(out);
}

describe('Base64StreamDecoder', () => {
  test('decodes whatever the pieces and batch size, padded or not at the end', () => {
    for (let length = 0; length < 200; length++) {
      const bytes = randomBytes(length);
      for (const batchBytes of [3, 6, 48, 3 * 1024]) assert.deepEqual(decode(bytes.toString('base64'), batchBytes), bytes, `${length} bytes, batch ${batchBytes}`);
    }
  });

  test('refuses base64url, whitespace and other characters, naming the position', () => {
    for (const [text, at, character] of [
      ['QUJD-UJD', 4, '-'],
      ['QUJDQUJ_', 7, '_'],
      ['QUJD\r\nQUJD', 4, '\r'],
      ['QUJDQUJDQUJDQUJDQUJDQUJDQU€D', 26, '€'],
    ] as const) {
      assert.throws(
        () => decode(text, 6),
        (error: unknown) => error instanceof Base64Error && error.problem.reason === 'character' && error.problem.at === at && error.problem.character === character,
        text,
      );
    }
  });
});
