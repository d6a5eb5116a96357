import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { ROOT, STANDARDS, validatorFor } from './rules-fixture.js';

const sample = (path: string) => readFileSync(join(ROOT, 'config/schemas/ubl-invoice/samples', path));
const siUbl = (file: string) => readFileSync(join(STANDARDS, 'tests-simplerinvoicing/external/test-files/simplerinvoicing/SI-UBL-2.0.3.2', file));
const peppol = (file: string) => readFileSync(join(STANDARDS, 'tests-peppol/external/test-files/openpeppol/2026.5/billing', file));

/** The sample invoice with a country subdivision for the seller, which SI-UBL 2.0 advises against (BR-NL-28). */
export const invoiceWithWarning = (): Buffer =>
  Buffer.from(sample('valid-invoice.xml').toString('utf8').replace('<cbc:PostalZone>3526 KS</cbc:PostalZone>', '<cbc:PostalZone>3526 KS</cbc:PostalZone>\n        <cbc:CountrySubentity>Utrecht</cbc:CountrySubentity>'));

describe('MessageValidator: the shipped message types, schema then business rules', () => {
  const { validator, close } = validatorFor(join(ROOT, 'config'), { maxBytes: 8 * 1024 * 1024, timeLimitMs: 60_000 });
  after(close);

  test('e-factuur: the sample invoice is valid without a warning; a seller subdivision is a warning (BR-NL-28)', async () => {
    assert.deepEqual(await validator.validate({ berichtsoort: 'e-factuur', content: sample('valid-invoice.xml') }), { kind: 'valid', warnings: [] });
    const warned = await validator.validate({ berichtsoort: 'e-factuur', content: invoiceWithWarning() });
    assert.equal(warned.kind, 'valid');
    assert.deepEqual(warned.kind === 'valid' ? warned.warnings.map((warning) => warning.id) : [], ['BR-NL-28-1']);
  });

  test('e-factuur: an invoice breaking an NLCIUS rule (an official error file) fails that rule', async () => {
    const verdict = await validator.validate({ berichtsoort: 'e-factuur', content: siUbl('SI-UBL-2.0_BR-NL-10_error_customer_schemeid.xml') });
    assert.equal(verdict.kind, 'rules-invalid');
    assert.ok(verdict.kind === 'rules-invalid' && verdict.errors.some((error) => error.id.startsWith('BR-NL-10')), JSON.stringify(verdict));
  });

  test('e-factuur: the schema comes first (the invalid sample never reaches the rules)', async () => {
    const verdict = await validator.validate({ berichtsoort: 'e-factuur', content: sample('invalid-invoice.xml') });
    assert.equal(verdict.kind, 'schema-invalid');
  });

  test('peppol-bis-billing-3: an official credit note and invoice are valid under both rule sets; e-factuur takes no credit note', async () => {
    const verdicts = await validator.validateAll([
      { berichtsoort: 'peppol-bis-billing-3', content: peppol('base-creditnote-correction.xml') },
      { berichtsoort: 'peppol-bis-billing-3', content: peppol('base-example.xml') },
      { berichtsoort: 'e-factuur', content: peppol('base-creditnote-correction.xml') },
    ]);
    assert.deepEqual(verdicts.slice(0, 2), [{ kind: 'valid', warnings: [] }, { kind: 'valid', warnings: [] }]);
    assert.equal(verdicts[2]!.kind, 'schema-invalid');
  });

  test('peppol-bis-billing-3: both rule sets run (a Peppol rule and a CEN rule are reported together)', async () => {
    // No buyer reference nor order reference (PEPPOL-EN16931-R003) and a wrong total (BR-CO-15, the CEN rules).
    const content = Buffer.from(
      peppol('base-example.xml')
        .toString('utf8')
        .replace(/<cbc:BuyerReference>[^<]*<\/cbc:BuyerReference>/, '')
        .replace(/<cac:OrderReference>[\s\S]*?<\/cac:OrderReference>/, '')
        .replace(/(<cbc:TaxInclusiveAmount currencyID="[A-Z]+">)[^<]*/, '$11.00'),
    );
    const verdict = await validator.validate({ berichtsoort: 'peppol-bis-billing-3', content });
    assert.equal(verdict.kind, 'rules-invalid');
    const ids = verdict.kind === 'rules-invalid' ? verdict.errors.map((error) => error.id) : [];
    assert.ok(ids.includes('PEPPOL-EN16931-R003') && ids.includes('BR-CO-15'), ids.join(', '));
  });
});
