import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { MessageCatalog } from '@poort/message-types';
import { XBRL_TEST_ENTRY_POINT, buildXbrlTestTaxonomyPackage, scratchConfig, xbrlTestFiling, type XbrlTestFiling } from '@poort/testing';

import { ArelleUnavailableError } from '../src/validation/xbrl/arelle-log.js';
import { ArelleWebService } from '../src/validation/xbrl/arelle-web-service.js';
import { XbrlValidator } from '../src/validation/xbrl/xbrl-validator.js';

const ROOT = process.env.POORT_ROOT ?? join(import.meta.dirname, '../../../..');
const ARELLE = join(ROOT, '.tools/arelle/bin/arelleCmdLine');
const filing = (name: XbrlTestFiling) => readFileSync(xbrlTestFiling(ROOT, name));

/** The VAT return type as an operator configures it, with the test taxonomy package in the configuration directory. */
function configWithTestTaxonomy(): string {
  const xbrlType = (berichtsoort: string, xbrl: Record<string, unknown>) => ({
    berichtsoort,
    description: 'aangifte omzetbelasting op de testtaxonomie',
    authorization: { allowedSenders: ['00000099000000000001'] },
    validation: { schema: 'schemas/xbrl-instance/xbrl-instance-2003-12-31.xsd', rootElement: '{http://www.xbrl.org/2003/instance}xbrl', xbrl },
    routing: { routes: [{ recipient: 'belastingdienst' }] },
  });
  const dir = scratchConfig(ROOT, new Map(), {}, {
    messageTypes: [
      xbrlType('OB-test', { taxonomyPackages: ['taxonomies/poort-test-vat.zip'] }),
      xbrlType('OB-test-c10', { taxonomyPackages: ['taxonomies/poort-test-vat.zip'], calculation: 'c10' }),
      xbrlType('OB-test-nt20', { taxonomyPackages: ['taxonomies/poort-test-vat.zip'], entryPoint: 'http://www.nltaxonomie.nl/nt20/bd/20251210/entrypoints/bd-rpt-ob-aangifte-2026.xsd' }),
      xbrlType('OB-test-ep', { taxonomyPackages: ['taxonomies/poort-test-vat.zip'], entryPoint: XBRL_TEST_ENTRY_POINT }),
    ],
  });
  buildXbrlTestTaxonomyPackage(ROOT, join(dir, 'taxonomies'));
  return dir;
}

describe('XbrlValidator with a real Arelle (web service of its own) and the test taxonomy package', { timeout: 180_000 }, () => {
  let dir: string;
  let arelle: ArelleWebService;
  let validator: XbrlValidator;

  before(async () => {
    // scratchConfig checks the package exists when the catalog loads: it is built into the directory first.
    dir = configWithTestTaxonomy();
    const catalog = MessageCatalog.load(dir, {});
    arelle = new ArelleWebService({ command: ARELLE, timeoutMs: 60_000 });
    validator = new XbrlValidator(catalog, arelle);
    await validator.onModuleInit();
  });
  after(async () => {
    await validator?.onApplicationShutdown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the valid filing is valid; the 301 detail names the taxonomy package', async () => {
    const outcome = await validator.validate('OB-test', filing('valid'));
    assert.deepEqual(outcome, { valid: true, detail: 'XBRL: gevalideerd met Arelle tegen taxonomiepakket poort-test-vat.zip' });
  });

  const errors: readonly [XbrlTestFiling, string, RegExp][] = [
    ['undefined-context', 'xbrl.4.6.1:itemContextRef', /ptv:OutstandingTaxDebt must have a context/],
    ['wrong-period-type', 'xbrl.4.7.2:contextPeriodType', /ptv:ValueAddedTaxOwed context EndOfPeriod has period type duration/],
    ['calculation-inconsistency', 'calc11e:inconsistentCalculationUsingRounding', /reported sum \[3420, 3420\] computed sum \[3240, 3240\]/],
  ];
  for (const [name, code, message] of errors) {
    test(`${name}: invalid, with Arelle's code ${code}, its message and the line`, async () => {
      const outcome = await validator.validate('OB-test', filing(name));
      assert.ok(outcome && !outcome.valid, `${name} should be invalid`);
      assert.deepEqual(outcome.findings.map((finding) => finding.code), [code]);
      assert.match(outcome.findings[0]!.message, message);
      assert.ok((outcome.findings[0]!.line ?? 0) > 0);
    });
  }

  test("negative-tax-owed: the taxonomy's business rules (formula value assertions) fail, each with its line in the filing", async () => {
    const outcome = await validator.validate('OB-test', filing('negative-tax-owed'));
    assert.ok(outcome && !outcome.valid);
    // Arelle evaluates the assertions in no fixed order.
    const findings = [...outcome.findings].sort((a, b) => a.code.localeCompare(b.code));
    assert.deepEqual(
      findings.map(({ code, line }) => ({ code, line })),
      [
        { code: 'formula:assertionUnsatisfied', line: 18 },
        { code: 'message:PTV-OB-002', line: 19 },
      ],
    );
    assert.match(findings[0]!.message, /^PTV-OB-001, \$owed: ptv:ValueAddedTaxOwed context Msg/);
    assert.match(findings[1]!.message, /^De openstaande belastingschuld \(-3240\) mag niet negatief zijn\./);
  });

  test('with XBRL 2.1 calculations (calculation: c10) the inconsistency is xbrl.5.2.5.2:calcInconsistency', async () => {
    const outcome = await validator.validate('OB-test-c10', filing('calculation-inconsistency'));
    assert.ok(outcome && !outcome.valid);
    assert.deepEqual(outcome.findings.map((finding) => finding.code), ['xbrl.5.2.5.2:calcInconsistency']);
    assert.deepEqual(await validator.validate('OB-test-c10', filing('valid')), { valid: true, detail: 'XBRL: gevalideerd met Arelle tegen taxonomiepakket poort-test-vat.zip' });
  });

  test('a filing on a taxonomy that is not configured (the Nederlandse Taxonomie sample, offline) is invalid, not a failure', async () => {
    const outcome = await validator.validate('OB-test', readFileSync(join(ROOT, 'config/schemas/xbrl-instance/samples/valid-instance.xbrl')));
    assert.ok(outcome && !outcome.valid);
    assert.ok(outcome.findings.some((finding) => finding.code === 'xbrl:schemaImportMissing'), JSON.stringify(outcome.findings));
  });

  test('a type with an entry point takes only filings whose schemaRef names it', async () => {
    const other = await validator.validate('OB-test-nt20', filing('valid'));
    assert.ok(other && !other.valid);
    assert.equal(other.findings[0]?.code, 'XBRL_ENTRY_POINT_OTHER');
    assert.match(other.findings[0]!.message, /verwijst naar http:\/\/taxonomie\.poort\.test\/ptv\/2026\/ptv-rpt-aangifte\.xsd/);
    assert.equal((await validator.validate('OB-test-ep', filing('valid')))?.valid, true);
  });

  test('filings validated one after another are each judged on their own (Arelle keeps nothing between them)', async () => {
    const verdicts = await Promise.all(['valid', 'calculation-inconsistency', 'valid'].map((name) => validator.validate('OB-test', filing(name as XbrlTestFiling))));
    assert.deepEqual(verdicts.map((verdict) => verdict?.valid), [true, false, true]);
  });
});

describe('ArelleWebService: Arelle failing is a technical failure, never a verdict', { timeout: 120_000 }, () => {
  let dir: string;
  before(() => {
    dir = configWithTestTaxonomy();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const request = () => ({ filing: filing('valid'), packages: [join(dir, 'taxonomies/poort-test-vat.zip')], calculation: 'c11r' as const });

  test('an Arelle that is not installed stops the service at start with what to do', () => {
    assert.throws(() => new ArelleWebService({ command: join(dir, 'no-arelle'), timeoutMs: 1_000 }), /run scripts\/bootstrap\.sh/);
  });

  test('an unreachable sidecar: ArelleUnavailableError', async () => {
    const arelle = new ArelleWebService({ url: 'http://127.0.0.1:9', timeoutMs: 5_000 });
    await assert.rejects(arelle.validate(request()), (error: unknown) => error instanceof ArelleUnavailableError && /not reachable/.test(error.message));
  });

  test('a filing past the time limit: ArelleUnavailableError; the own Arelle is started afresh for the next filing', async () => {
    const arelle = new ArelleWebService({ command: ARELLE, timeoutMs: 1 });
    try {
      await arelle.start();
      await assert.rejects(arelle.validate(request()), (error: unknown) => error instanceof ArelleUnavailableError && /within 1 ms/.test(error.message));
    } finally {
      await arelle.close();
    }
    const patient = new ArelleWebService({ command: ARELLE, timeoutMs: 60_000 });
    try {
      assert.deepEqual(await patient.validate(request()), []);
    } finally {
      await patient.close();
    }
  });

  test('a taxonomy package Arelle cannot open: ArelleUnavailableError (the operator\'s to fix, not the sender\'s)', async () => {
    const arelle = new ArelleWebService({ command: ARELLE, timeoutMs: 60_000 });
    try {
      await assert.rejects(
        arelle.validate({ ...request(), packages: [join(dir, 'recipients.yaml')] }),
        (error: unknown) => error instanceof ArelleUnavailableError && /arelle:packageLoadingError/.test(error.message),
      );
    } finally {
      await arelle.close();
    }
  });
});
