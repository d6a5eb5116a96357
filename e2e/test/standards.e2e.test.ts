import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { waitFor } from '@poort/testing';

import { E2eChain, ROOT, SAMPLES, aanlevering, type StatusResultaat } from '../src/index.js';

const STANDARDS = process.env.POORT_STANDARDS_DIR ?? join(ROOT, '.cache/standards');
const SI_UBL = join(STANDARDS, 'tests-simplerinvoicing/external/test-files/simplerinvoicing/SI-UBL-2.0.3.2');
const PEPPOL = join(STANDARDS, 'tests-peppol/external/test-files/openpeppol/2026.5/billing');

const codes = (statuses: readonly StatusResultaat[]) => statuses.map((status) => status.statuscode);

describe('validation against the official standards, end to end (UBL 2.1 schemas, SI-UBL 2.0 and Peppol BIS 3 rules)', () => {
  let e2e: E2eChain;

  before(async () => {
    e2e = await E2eChain.start('standards');
  });
  after(async () => {
    await e2e?.stop();
  });

  test('an invoice that breaks an NLCIUS rule (an official error file) ends at 311 with the rule in statusdetails', async () => {
    const receipt = await e2e.submit(aanlevering('e-factuur', readFileSync(join(SI_UBL, 'SI-UBL-2.0_BR-NL-10_error_customer_schemeid.xml'))));
    assert.equal(receipt.status, 200, JSON.stringify(receipt.body));
    const kenmerk = String(receipt.body.kenmerk);
    const statuses = await e2e.waitForStatus(kenmerk, '311');
    assert.deepEqual(codes(statuses), ['100', '110', '200', '311']);
    const rejected = statuses[3]!;
    assert.equal(rejected.statusFoutcode?.foutcode, 'VAS500');
    assert.match(rejected.statusFoutcode?.foutbeschrijving ?? '', /bedrijfsregels .*si-ubl-2\.0/);
    assert.match(rejected.statusdetails ?? '', /^\[BR-NL-10\] \/Invoice\/cac:AccountingCustomerParty\/.*: \[BR-NL-10\] /m);
  });

  test('a valid Peppol BIS Billing 3 credit note reaches 400 and is delivered as submitted', async () => {
    const creditNote = readFileSync(join(PEPPOL, 'base-creditnote-correction.xml'));
    const receipt = await e2e.submit(aanlevering('peppol-bis-billing-3', creditNote));
    const kenmerk = String(receipt.body.kenmerk);
    const statuses = await e2e.waitForStatus(kenmerk, '400');
    assert.deepEqual(codes(statuses), ['100', '110', '200', '301', '405', '400']);
    assert.equal(statuses[3]!.statusdetails, undefined);
    const delivered = await waitFor('delivery to ministerie-bzk', async () => e2e.recipient('ministerie-bzk').forKenmerk(kenmerk));
    assert.deepEqual(delivered.body, creditNote);
  });

  test('an invoice with warnings only reaches 400, its warnings in the 301\'s statusdetails', async () => {
    const warned = Buffer.from(
      SAMPLES.invoice.toString('utf8').replace('<cbc:PostalZone>3526 KS</cbc:PostalZone>', '<cbc:PostalZone>3526 KS</cbc:PostalZone>\n        <cbc:CountrySubentity>Utrecht</cbc:CountrySubentity>'),
    );
    const receipt = await e2e.submit(aanlevering('e-factuur', warned));
    const kenmerk = String(receipt.body.kenmerk);
    const statuses = await e2e.waitForStatus(kenmerk, '400');
    assert.deepEqual(codes(statuses), ['100', '110', '200', '301', '405', '400']);
    const validated = statuses[3]!;
    assert.equal(validated.statusFoutcode, undefined);
    assert.match(validated.statusdetails ?? '', /met 1 waarschuwing:\n\[BR-NL-28-1\] \/Invoice\/cac:AccountingSupplierParty\/cac:Party\/cac:PostalAddress\/cbc:CountrySubentity: \[BR-NL-28\]/);
  });

  test('an invoice on which the rules\' own XSLT fails (XPTY0004, an official error file) is rejected, and validation goes on', async () => {
    const receipt = await e2e.submit(aanlevering('e-factuur', readFileSync(join(SI_UBL, 'SI-UBL-2.0_UBL-SR-09_error_multiple_legalentity_registrationname.xml'))));
    const kenmerk = String(receipt.body.kenmerk);
    const statuses = await e2e.waitForStatus(kenmerk, '311');
    assert.equal(statuses.at(-1)!.statusFoutcode?.foutcode, 'VAS500');
    assert.match(statuses.at(-1)!.statusdetails ?? '', /XPTY0004/);
    const next = await e2e.submit(aanlevering('e-factuur', SAMPLES.invoice));
    await e2e.waitForStatus(String(next.body.kenmerk), '400');
    const metrics = (await e2e.get('validation', '/metrics')).text();
    assert.match(metrics, /^poort_validation_verdicts_total\{berichtsoort="e-factuur",verdict="rules_failed"[^}]*\} 1$/m);
    assert.match(metrics, /^poort_validation_verdicts_total\{berichtsoort="e-factuur",verdict="valid_with_warnings"[^}]*\} 1$/m);
  });
});
