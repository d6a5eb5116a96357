import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';

import { stringify } from 'yaml';

import { CatalogError, MessageCatalog } from '../src/index.js';

const XSLT = 'rules-simplerinvoicing/external/schematron/simplerinvoicing/si-ubl-2.0.3.12.xslt';

/** A standards directory as the fetch step leaves it, in miniature: the driver schema and the si-ubl-2.0 rule set. */
function standardsDir(stamp: 'matching' | 'stale'): string {
  const dir = mkdtempSync(join(tmpdir(), 'poort-standards-'));
  const file = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  file('ubl-2.1.xsd', '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>');
  file(XSLT, '<xsl:stylesheet/>');
  file('sef/si-ubl-2.0.sef.json', '{}');
  const hash = createHash('sha256').update(stamp === 'matching' ? '<xsl:stylesheet/>' : 'an older XSLT').digest('hex');
  file('sef/si-ubl-2.0.sef.json.stamp', `${hash} ${XSLT}\n`);
  return dir;
}

function catalogWith(validation: object, standards: string): () => MessageCatalog {
  const dir = mkdtempSync(join(tmpdir(), 'poort-catalog-'));
  mkdirSync(join(dir, 'message-types'));
  writeFileSync(
    join(dir, 'message-types/t.yaml'),
    stringify({ berichtsoort: 't', description: 't', authorization: { allowedSenders: ['00000099000000000001'] }, validation, routing: { routes: [{ recipient: 'ontvanger' }] } }),
  );
  writeFileSync(join(dir, 'recipients.yaml'), stringify({ recipients: [{ id: 'ontvanger', name: 'Ontvanger', oin: '00000099000000000101', endpoint: 'https://ontvanger.example/inbox' }] }));
  return () => MessageCatalog.load(dir, { POORT_STANDARDS_DIR: standards });
}

const refusedFor = (load: () => MessageCatalog, problem: RegExp) =>
  assert.throws(load, (error: unknown) => error instanceof CatalogError && problem.test(error.message));

describe('message types on the official standards (validation.schema standard:…, validation.rules)', () => {
  it('resolve the schema in the standards directory and check each rule set', () => {
    const standards = standardsDir('matching');
    const catalog = catalogWith({ schema: 'standard:ubl-2.1.xsd', rules: ['si-ubl-2.0'] }, standards)();
    const type = catalog.get('t');
    assert.deepEqual(catalog.schema(type), { xsdPath: join(standards, 'ubl-2.1.xsd'), root: standards });
    assert.deepEqual(catalog.ruleSets(type).map((ruleSet) => ruleSet.name), ['si-ubl-2.0']);
  });

  it('a type without rules has none', () => {
    const catalog = catalogWith({ schema: 'standard:ubl-2.1.xsd' }, standardsDir('matching'))();
    assert.deepEqual(catalog.ruleSets(catalog.get('t')), []);
  });

  it('a missing official schema stops the start, saying how to fetch it', () => {
    refusedFor(catalogWith({ schema: 'standard:ubl-2.2.xsd' }, standardsDir('matching')), /message-types\/t\.yaml: schema standard:ubl-2\.2\.xsd: .*is missing: run scripts\/bootstrap\.sh/);
    refusedFor(catalogWith({ schema: 'standard:ubl-2.1.xsd' }, join(tmpdir(), 'poort-no-standards')), /is missing: run scripts\/bootstrap\.sh/);
  });

  it('a reference out of the standards directory is refused', () => {
    refusedFor(catalogWith({ schema: 'standard:../catalog.json' }, standardsDir('matching')), /name a file inside the standards directory/);
    refusedFor(catalogWith({ schema: 'standard:/etc/passwd' }, standardsDir('matching')), /name a file inside the standards directory/);
  });

  it('an unknown, missing or stale rule set stops the start', () => {
    refusedFor(catalogWith({ schema: 'standard:ubl-2.1.xsd', rules: ['si-ubl-3.0'] }, standardsDir('matching')), /rule set si-ubl-3\.0: unknown rule set "si-ubl-3\.0" \(known: si-ubl-2\.0, /);
    refusedFor(catalogWith({ schema: 'standard:ubl-2.1.xsd', rules: ['en16931-ubl'] }, standardsDir('matching')), /rule set en16931-ubl: .*is missing: run scripts\/bootstrap\.sh/);
    refusedFor(catalogWith({ schema: 'standard:ubl-2.1.xsd', rules: ['si-ubl-2.0'] }, standardsDir('stale')), /rule set si-ubl-2\.0: .*was compiled from another XSLT/);
  });

  it('rootElement may list the document elements a type takes', () => {
    const catalog = catalogWith({ schema: 'standard:ubl-2.1.xsd', rootElement: ['{urn:a}Invoice', '{urn:b}CreditNote'] }, standardsDir('matching'))();
    assert.deepEqual(catalog.get('t').validation.rootElement, ['{urn:a}Invoice', '{urn:b}CreditNote']);
    refusedFor(catalogWith({ schema: 'standard:ubl-2.1.xsd', rootElement: [] }, standardsDir('matching')), /rootElement/);
  });
});
