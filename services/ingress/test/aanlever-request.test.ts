import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { AanleverRequest } from '../src/submission/aanlever-request.dto.js';

const request = (overrides: Record<string, unknown> = {}) => ({
  berichtsoort: 'e-factuur',
  identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
  rolBelanghebbende: 'Bedrijf',
  berichtInhoud: { mimeType: 'application/xml', bestandsnaam: 'factuur.xml', inhoud: 'PGEvPg==' },
  ...overrides,
});
const problems = (value: unknown) => {
  const parsed = AanleverRequest.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('AanleverRequest: what the koppelvlak promises, checked at the door', () => {
  test('a plain request passes, with text of any script', () => {
    assert.deepEqual(problems(request({ aanleverkenmerk: 'ref-żółw-日本' })), []);
  });

  test('control characters and lone surrogates are refused in every text field, not repaired', () => {
    for (const value of ['a\u0000b', 'a\tb', 'a\r\nb', 'a\u007fb', 'a\u0085b', 'a\ud800b']) {
      assert.equal(problems(request({ aanleverkenmerk: value })).length, 1, JSON.stringify(value));
      assert.equal(problems(request({ identiteitBelanghebbende: { nummer: value, type: 'Fi' } })).length, 1, JSON.stringify(value));
    }
    assert.match(problems(request({ rolBelanghebbende: 'a\u0000' }))[0]!, /^rolBelanghebbende: bevat een stuurteken$/);
    assert.match(problems(request({ rolBelanghebbende: 'a\udc00' }))[0]!, /losse surrogaat/);
  });

  test('an identity typed OIN must be an OIN; KvK 8 digits; BSN and RSIN pass the elfproef; other types are free text', () => {
    assert.deepEqual(problems(request({ identiteitOntvanger: { nummer: '00000099000000000101', type: 'OIN' } })), []);
    assert.match(problems(request({ identiteitOntvanger: { nummer: '12345', type: 'OIN' } }))[0]!, /^identiteitOntvanger\.nummer: past niet bij type OIN: an OIN is 20 digits/);
    assert.match(problems(request({ identiteitOntvanger: { nummer: '12345678901234567890', type: 'oin' } }))[0]!, /unknown prefix/);
    assert.deepEqual(problems(request({ identiteitBelanghebbende: { nummer: '12345678', type: 'KvK' } })), []);
    assert.equal(problems(request({ identiteitBelanghebbende: { nummer: '1234567', type: 'KvK' } })).length, 1);
    assert.deepEqual(problems(request({ identiteitBelanghebbende: { nummer: '111222333', type: 'BSN' } })), []);
    assert.match(problems(request({ identiteitBelanghebbende: { nummer: '111222334', type: 'BSN' } }))[0]!, /elfproef/);
    assert.deepEqual(problems(request({ identiteitBelanghebbende: { nummer: 'wat-dan-ook', type: 'LHnr' } })), []);
  });

  test('autorisatieAdres is an absolute http(s) URL of at most 255 characters', () => {
    assert.deepEqual(problems(request({ autorisatieAdres: 'http://geenausp.nl' })), []);
    for (const value of ['geenausp.nl', 'ftp://ausp.nl', `http://${'a'.repeat(255)}.nl`]) {
      assert.equal(problems(request({ autorisatieAdres: value })).length, 1, value);
    }
  });
});
