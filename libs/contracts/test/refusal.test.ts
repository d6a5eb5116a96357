import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { FOUTCODE, POORT_CODE_STYLE, Refusal } from '../src/index.js';

describe('the error-code vocabulary', () => {
  test('Poort\'s own codes follow AREA_REASON; Digipoort\'s foutcodes are not Poort\'s style and need none', () => {
    for (const code of ['CERT_MISSING', 'XML_MALFORMED', 'WSS_WRAPPING', 'PAYLOAD_TOO_LARGE', 'EVENT_INVALID', 'HTTP_400', 'INTERNAL_ERROR']) {
      assert.match(code, POORT_CODE_STYLE, code);
    }
    for (const code of ['PAYLOAD.TOO_LARGE', 'XmlMalformed', 'INTERNAL', 'http_400']) assert.doesNotMatch(code, POORT_CODE_STYLE, code);
    for (const code of Object.values(FOUTCODE)) assert.match(code, /^[A-Z]{3}\d{3}$/, code);
  });

  test('a Refusal carries its code, kind, text and details', () => {
    const refusal = new Refusal(FOUTCODE.interfaceSpecificatie, 'invalid', 'het verzoek voldoet niet', { field: 'x' });
    assert.deepEqual([refusal.code, refusal.kind, refusal.message, refusal.details], ['ALS100', 'invalid', 'het verzoek voldoet niet', { field: 'x' }]);
    assert.ok(refusal instanceof Error);
  });
});
