import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { MessageCatalog } from '@poort/message-types';
import { XBRL_TEST_ENTRY_POINT, scratchConfig, xbrlTestFiling } from '@poort/testing';

import { ArelleUnavailableError, describeArelleFindings, findingsOfArelleLog, type ArelleFinding } from '../src/validation/xbrl/arelle-log.js';
import type { Arelle, ArelleRequest } from '../src/validation/xbrl/arelle-web-service.js';
import { SCHEMA_ONLY_DETAIL, XbrlValidator } from '../src/validation/xbrl/xbrl-validator.js';

const ROOT = process.env.POORT_ROOT ?? join(import.meta.dirname, '../../../..');
const vatSample = readFileSync(join(ROOT, 'config/schemas/xbrl-instance/samples/valid-instance.xbrl'));

/** An Arelle that finds nothing, and records what it was asked. */
class NoArelle implements Arelle {
  readonly requests: ArelleRequest[] = [];
  validate(request: ArelleRequest): Promise<ArelleFinding[]> {
    this.requests.push(request);
    return Promise.resolve([]);
  }
  start = () => Promise.resolve();
  close = () => Promise.resolve();
}

describe('XbrlValidator without a taxonomy package (the shipped configuration)', () => {
  const catalog = MessageCatalog.load(join(ROOT, 'config'), {});

  test('the shipped Omzetbelasting has no taxonomy package: no Arelle is needed', () => {
    assert.equal(XbrlValidator.needsArelle(catalog), false);
  });

  test('a VAT return keeps the instance-schema check only, and the 301 detail says so', async () => {
    const arelle = new NoArelle();
    const outcome = await new XbrlValidator(catalog, arelle).validate('Omzetbelasting', vatSample);
    assert.deepEqual(outcome, { valid: true, detail: 'XBRL: alleen instance-schema gecontroleerd; geen taxonomiepakket geconfigureerd' });
    assert.equal(outcome?.valid && outcome.detail, SCHEMA_ONLY_DETAIL);
    assert.equal(arelle.requests.length, 0);
  });

  test('a type that is not XBRL has no XBRL step', async () => {
    assert.equal(await new XbrlValidator(catalog, undefined).validate('e-factuur', Buffer.from('<Invoice/>')), undefined);
  });
});

describe('XbrlValidator: what a filing may refer to before Arelle reads it', () => {
  const dir = scratchConfig(ROOT, new Map(), {}, {
    messageTypes: [
      {
        berichtsoort: 'OB-test',
        description: 'aangifte op de testtaxonomie',
        authorization: { allowedSenders: ['00000099000000000001'] },
        validation: {
          schema: 'schemas/xbrl-instance/xbrl-instance-2003-12-31.xsd',
          rootElement: '{http://www.xbrl.org/2003/instance}xbrl',
          xbrl: { taxonomyPackages: ['taxonomies/test.zip'], entryPoint: XBRL_TEST_ENTRY_POINT },
        },
        routing: { routes: [{ recipient: 'belastingdienst' }] },
      },
    ],
  });
  // The catalog wants the package to exist; this fake Arelle never opens it.
  mkdirSync(join(dir, 'taxonomies'));
  writeFileSync(join(dir, 'taxonomies/test.zip'), '');
  after(() => rmSync(dir, { recursive: true, force: true }));
  const valid = readFileSync(xbrlTestFiling(ROOT, 'valid'), 'utf8');
  const check = async (filing: string) => {
    const arelle = new NoArelle();
    const outcome = await new XbrlValidator(MessageCatalog.load(dir, {}), arelle).validate('OB-test', Buffer.from(filing));
    return { outcome, asked: arelle.requests.length };
  };

  test('a filing on the entry point with http(s) references and #references inside it goes to Arelle with the package', async () => {
    const withFootnote = valid.replace('</xbrli:xbrl>', '<link:footnoteLink xlink:type="extended" xlink:role="http://www.xbrl.org/2003/role/link"><link:loc xlink:type="locator" xlink:href="#f1" xlink:label="fact"/></link:footnoteLink></xbrli:xbrl>');
    const arelle = new NoArelle();
    const outcome = await new XbrlValidator(MessageCatalog.load(dir, {}), arelle).validate('OB-test', Buffer.from(withFootnote));
    assert.deepEqual(outcome, { valid: true, detail: 'XBRL: gevalideerd met Arelle tegen taxonomiepakket test.zip' });
    assert.deepEqual(arelle.requests.map(({ packages, calculation }) => ({ packages, calculation })), [{ packages: [join(dir, 'taxonomies/test.zip')], calculation: 'c11r' }]);
  });

  const local: readonly [string, string][] = [
    ['a file: URL as schemaRef', valid.replace(XBRL_TEST_ENTRY_POINT, 'file:///etc/hostname')],
    ['an absolute path as schemaRef', valid.replace(XBRL_TEST_ENTRY_POINT, '/etc/hostname')],
    ['a relative path out of the zip as schemaRef', valid.replace(XBRL_TEST_ENTRY_POINT, '../../../etc/hostname')],
    ['a local linkbaseRef', valid.replace('<xbrli:context id="Msg">', '<link:linkbaseRef xlink:type="simple" xlink:arcrole="http://www.w3.org/1999/xlink/properties/linkbase" xlink:href="file:///etc/passwd"/><xbrli:context id="Msg">')],
    ['a local xsi:schemaLocation', valid.replace('<xbrli:xbrl ', '<xbrli:xbrl xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://taxonomie.poort.test/ptv/2026 /etc/secret.xsd" ')],
  ];
  for (const [what, filing] of local) {
    test(`${what}: refused (311, XBRL_REFERENCE_REFUSED) before Arelle could read a file of its machine`, async () => {
      const { outcome, asked } = await check(filing);
      assert.ok(outcome && !outcome.valid);
      assert.equal(outcome.findings[0]?.code, 'XBRL_REFERENCE_REFUSED');
      assert.match(outcome.findings[0]!.message, /alleen http\(s\)-adressen van de taxonomie/);
      assert.equal(asked, 0);
    });
  }

  test('a filing on another entry point than the type takes: refused (XBRL_ENTRY_POINT_OTHER) without Arelle', async () => {
    const { outcome, asked } = await check(valid.replace(XBRL_TEST_ENTRY_POINT, 'http://www.nltaxonomie.nl/nt20/bd/20251210/entrypoints/bd-rpt-ob-aangifte-2026.xsd'));
    assert.ok(outcome && !outcome.valid);
    assert.equal(outcome.findings[0]?.code, 'XBRL_ENTRY_POINT_OTHER');
    assert.equal(asked, 0);
  });
});

const logOf = (...entries: object[]) => JSON.stringify({ log: entries });
const entry = (code: string, level: string, text: string, sourceLine?: number) => ({
  code,
  level,
  refs: [{ href: 'aangifte.xbrl#element(/1/9)', ...(sourceLine ? { sourceLine } : {}) }],
  message: { text, args: {} },
});

describe("Arelle's JSON log as findings", () => {
  test('errors, calculation inconsistencies and unsatisfied assertions are errors; warnings stay warnings; info is left out', () => {
    const findings = findingsOfArelleLog(
      logOf(
        entry('info', 'info', '2026-12-01 07:09:53,846 [info] Activation of package x successful. - /p.zip \n'),
        entry('xbrl.4.7.2:contextPeriodType', 'error', '[xbrl.4.7.2:contextPeriodType] Fact ptv:A context I has period type duration conflict with context - aangifte.xbrl 18', 18),
        entry('calc11e:inconsistentCalculationUsingRounding', 'inconsistency', '2026-12-01 07:09:53,900 [calc11e:inconsistentCalculationUsingRounding] Calculation inconsistent\n'),
        entry('NL.FR-VAT-1', 'assertion-not-satisfied', '[NL.FR-VAT-1] Omzet ontbreekt'),
        entry('xbrl:dimensionsHint', 'warning', '[xbrl:dimensionsHint] a hint', 3),
        {
          code: 'message:PTV-OB-002',
          level: 'error',
          refs: [{ href: 'http://taxonomie.poort.test/ptv/2026/ptv-for.xml#element(/1/9)', sourceLine: 28 }, { href: 'aangifte.xbrl#element(/1/10)', sourceLine: 19 }],
          message: { text: 'De schuld (-3240)\n mag niet negatief zijn. - aangifte.xbrl 19' },
        },
      ),
      'aangifte.xbrl',
    );
    assert.deepEqual(findings, [
      { code: 'xbrl.4.7.2:contextPeriodType', severity: 'error', message: 'Fact ptv:A context I has period type duration conflict with context - aangifte.xbrl 18', line: 18 },
      { code: 'calc11e:inconsistentCalculationUsingRounding', severity: 'error', message: 'Calculation inconsistent' },
      { code: 'NL.FR-VAT-1', severity: 'error', message: 'Omzet ontbreekt' },
      { code: 'xbrl:dimensionsHint', severity: 'warning', message: 'a hint', line: 3 },
      // The line is the filing's, not the assertion's in its linkbase; the text is on one line.
      { code: 'message:PTV-OB-002', severity: 'error', message: 'De schuld (-3240) mag niet negatief zijn. - aangifte.xbrl 19', line: 19 },
    ]);
  });

  test('a Python exception inside Arelle, a package it cannot load, or an answer that is no log: ArelleUnavailableError', () => {
    for (const code of ['Exception', 'exception:KeyError', 'arelle:packageLoadingError']) {
      assert.throws(() => findingsOfArelleLog(logOf(entry(code, 'error', 'boom')), 'aangifte.xbrl'), ArelleUnavailableError);
    }
    assert.throws(() => findingsOfArelleLog('<html>Internal Server Error</html>', 'aangifte.xbrl'), ArelleUnavailableError);
    assert.throws(() => findingsOfArelleLog('{"nolog": true}', 'aangifte.xbrl'), ArelleUnavailableError);
  });

  test('statusdetails: code first, the line where known, at most 50 lines and 500 characters each, and how many more', () => {
    const findings: ArelleFinding[] = Array.from({ length: 53 }, (_, index) => ({ code: `c${index}`, severity: 'error', message: 'x'.repeat(index === 0 ? 600 : 3), ...(index === 1 ? { line: 7 } : {}) }));
    const lines = describeArelleFindings(findings).split('\n');
    assert.equal(lines.length, 51);
    assert.equal(lines[0], `c0: ${'x'.repeat(499)}…`);
    assert.equal(lines[1], 'c1 (regel 7): xxx');
    assert.equal(lines[50], '… en nog 3 meldingen van Arelle');
  });
});
