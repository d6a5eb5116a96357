import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { buildXbrlTestTaxonomyPackage, waitFor, xbrlTestFiling, type XbrlTestFiling } from '@poort/testing';

import { E2eChain, ROOT, SAMPLES, aanlevering, type StatusResultaat } from '../src/index.js';

const codes = (statuses: readonly StatusResultaat[]) => statuses.map((status) => status.statuscode);
const filing = (name: XbrlTestFiling) => readFileSync(xbrlTestFiling(ROOT, name));
const statusOf = (statuses: readonly StatusResultaat[], code: string) => statuses.find((status) => status.statuscode === code);

/** The VAT return as an operator configures it with a taxonomy package (here the test taxonomy's, absolute). */
const vatReturnOn = (taxonomyPackage: string) => ({
  berichtsoort: 'OB-testtaxonomie',
  description: 'aangifte omzetbelasting op de testtaxonomie',
  authorization: { allowedSenders: ['00000099000000000001'] },
  validation: {
    schema: 'schemas/xbrl-instance/xbrl-instance-2003-12-31.xsd',
    rootElement: '{http://www.xbrl.org/2003/instance}xbrl',
    xbrl: { taxonomyPackages: [taxonomyPackage] },
  },
  routing: { routes: [{ recipient: 'belastingdienst' }] },
});

describe('XBRL filings validated by Arelle against the taxonomy package the operator configured', { timeout: 300_000 }, () => {
  let e2e: E2eChain;
  let taxonomyPackage: string;

  before(async () => {
    taxonomyPackage = buildXbrlTestTaxonomyPackage(ROOT);
    e2e = await E2eChain.start('xbrl', { extraConfig: { messageTypes: [vatReturnOn(taxonomyPackage)] } });
  });
  after(async () => {
    await e2e?.stop();
    if (taxonomyPackage) rmSync(dirname(taxonomyPackage), { recursive: true, force: true });
  });

  test('a filing with a calculation inconsistency ends at 311 (VAS500) with Arelle\'s code and message, and is not delivered', async () => {
    const receipt = await e2e.submit(aanlevering('OB-testtaxonomie', filing('calculation-inconsistency')));
    assert.equal(receipt.status, 200, JSON.stringify(receipt.body));
    const kenmerk = String(receipt.body.kenmerk);
    const statuses = await e2e.waitForStatus(kenmerk, '311', 60_000);
    assert.deepEqual(codes(statuses), ['100', '110', '200', '311']);
    const failed = statusOf(statuses, '311')!;
    assert.equal(failed.statusFoutcode?.foutcode, 'VAS500');
    assert.match(failed.statusFoutcode?.foutbeschrijving ?? '', /XBRL-taxonomie/);
    assert.match(failed.statusdetails ?? '', /^calc11e:inconsistentCalculationUsingRounding \(regel \d+\): Calculation inconsistent from ptv:ValueAddedTaxOwed .*reported sum \[3420, 3420\] computed sum \[3240, 3240\]/);
    assert.equal(e2e.recipient('belastingdienst').forKenmerk(kenmerk), undefined);
  });

  test('a filing in the wrong period type ends at 311 with xbrl.4.7.2:contextPeriodType', async () => {
    const kenmerk = String((await e2e.submit(aanlevering('OB-testtaxonomie', filing('wrong-period-type')))).body.kenmerk);
    const statuses = await e2e.waitForStatus(kenmerk, '311', 60_000);
    assert.match(statusOf(statuses, '311')?.statusdetails ?? '', /^xbrl\.4\.7\.2:contextPeriodType/);
  });

  test('a valid filing is validated by Arelle (said in the 301 detail) and delivered as submitted (400)', async () => {
    const kenmerk = String((await e2e.submit(aanlevering('OB-testtaxonomie', filing('valid')))).body.kenmerk);
    const statuses = await e2e.waitForStatus(kenmerk, '400', 60_000);
    assert.deepEqual(codes(statuses), ['100', '110', '200', '301', '405', '400']);
    assert.equal(statusOf(statuses, '301')?.statusdetails, 'XBRL: gevalideerd met Arelle tegen taxonomiepakket poort-test-vat.zip');
    const delivered = await waitFor('delivery to belastingdienst', async () => e2e.recipient('belastingdienst').forKenmerk(kenmerk));
    assert.deepEqual(delivered.body, filing('valid'));
  });

  test('the shipped Omzetbelasting (no taxonomy package) keeps the instance-schema check and says so in the 301', async () => {
    const kenmerk = String((await e2e.submit(aanlevering('Omzetbelasting', SAMPLES.vatInstance))).body.kenmerk);
    const statuses = await e2e.waitForStatus(kenmerk, '400', 60_000);
    assert.equal(statusOf(statuses, '301')?.statusdetails, 'XBRL: alleen instance-schema gecontroleerd; geen taxonomiepakket geconfigureerd');
  });
});

describe('XBRL filings when Arelle cannot be reached', { timeout: 300_000 }, () => {
  let e2e: E2eChain;
  let taxonomyPackage: string;

  before(async () => {
    taxonomyPackage = buildXbrlTestTaxonomyPackage(ROOT);
    // A sidecar that is not there (port 9, discard: nothing listens).
    e2e = await E2eChain.start('xbrl-away', { extraConfig: { messageTypes: [vatReturnOn(taxonomyPackage)] }, env: { VALIDATION_ARELLE_URL: 'http://127.0.0.1:9' } });
  });
  after(async () => {
    await e2e?.stop();
    if (taxonomyPackage) rmSync(dirname(taxonomyPackage), { recursive: true, force: true });
  });

  test('the filing is retried, then ends at 321 (VAS400), a technical failure and not a verdict on the filing; the service stays up', async () => {
    const kenmerk = String((await e2e.submit(aanlevering('OB-testtaxonomie', filing('valid')))).body.kenmerk);
    const statuses = await e2e.waitForStatus(kenmerk, '321', 60_000);
    assert.deepEqual(codes(statuses), ['100', '110', '200', '321']);
    const failed = statusOf(statuses, '321')!;
    assert.equal(failed.statusFoutcode?.foutcode, 'VAS400');
    assert.match(failed.statusFoutcode?.foutbeschrijving ?? '', /Arelle is not reachable at http:\/\/127\.0\.0\.1:9/);
    assert.equal(await e2e.count('dead_letters'), 1);
    // Other message types go on: an invoice is validated and delivered.
    const invoice = String((await e2e.submit(aanlevering('e-factuur', SAMPLES.invoice))).body.kenmerk);
    await e2e.waitForStatus(invoice, '400', 60_000);
  });
});
