import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { Refusal } from '@poort/contracts';

import { parseIdempotencyKey } from '../src/submission/idempotency-key.js';
import { requestFingerprint } from '../src/submission/request-fingerprint.js';

describe('parseIdempotencyKey: the REST Idempotency-Key header', () => {
  test('no header is no key; one of printable ASCII, 1 to 255 characters, is kept as sent', () => {
    assert.equal(parseIdempotencyKey(undefined), undefined);
    for (const key of ['k', 'a'.repeat(255), 'batch 2025-06 / bestand #17', '~!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}']) {
      assert.equal(parseIdempotencyKey([key]), key);
    }
  });

  test('empty, too long, not printable ASCII, or twice: ALS100 invalid', () => {
    const refused = (values: string[], reason: RegExp) =>
      assert.throws(
        () => parseIdempotencyKey(values),
        (error: unknown) => error instanceof Refusal && error.code === 'ALS100' && error.kind === 'invalid' && reason.test(error.message),
        JSON.stringify(values),
      );
    for (const value of ['', 'a'.repeat(256), 'a\tb', 'sleutel-é', 'a\u007fb', 'a\u0000b']) {
      refused([value], /^de header Idempotency-Key moet 1 tot 255 afdrukbare ASCII-tekens bevatten$/);
    }
    refused(['a', 'b'], /meer dan eens/);
    refused(['a', 'a'], /meer dan eens/);
  });
});

describe('requestFingerprint: the request as parsed, canonical', () => {
  const request = {
    berichtsoort: 'e-factuur',
    aanleverkenmerk: 'ref-1',
    identiteitBelanghebbende: { nummer: '123456782', type: 'Fi' },
    berichtInhoud: { mimeType: 'application/xml', bestandsnaam: 'f.xml', inhoud: 'PGEvPg==' },
    berichtBijlagen: [{ mimeType: 'text/xml', bestandsnaam: 'b.xml', inhoud: 'PGIvPg==' }],
  };

  test('is SHA-256 in hex, the same for the same request whatever its key order or absent fields', () => {
    const fingerprint = requestFingerprint(request);
    assert.match(fingerprint, /^[0-9a-f]{64}$/);
    const reordered = {
      berichtBijlagen: [{ inhoud: 'PGIvPg==', bestandsnaam: 'b.xml', mimeType: 'text/xml' }],
      berichtInhoud: { inhoud: 'PGEvPg==', mimeType: 'application/xml', bestandsnaam: 'f.xml' },
      identiteitBelanghebbende: { type: 'Fi', nummer: '123456782' },
      aanleverkenmerk: 'ref-1',
      berichtsoort: 'e-factuur',
      rolOntvanger: undefined,
    };
    assert.equal(requestFingerprint(reordered), fingerprint);
  });

  test('differs for any difference in a value, in the order of attachments, or where a text ends', () => {
    const fingerprint = requestFingerprint(request);
    const variants: unknown[] = [
      { ...request, aanleverkenmerk: 'ref-2' },
      { ...request, berichtInhoud: { ...request.berichtInhoud, inhoud: 'PGIvPg==' } },
      { ...request, berichtBijlagen: [] },
      { ...request, berichtBijlagen: [...request.berichtBijlagen, ...request.berichtBijlagen] },
      { ...request, rolOntvanger: '' },
      { ...request, identiteitBelanghebbende: { nummer: '123456782F', type: 'i' } },
    ];
    const fingerprints = variants.map(requestFingerprint);
    assert.ok(!fingerprints.includes(fingerprint));
    assert.equal(new Set(fingerprints).size, variants.length);
    assert.notEqual(requestFingerprint([['a', 'b'], 'c']), requestFingerprint([['a'], 'b', 'c']));
    assert.notEqual(requestFingerprint({ a: 'bc' }), requestFingerprint({ ab: 'c' }));
    // Where one text ends and the next begins is part of the encoding, whatever characters the texts hold.
    assert.notEqual(requestFingerprint(['as', 'b']), requestFingerprint(['a', 'sb']));
  });
});
