import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { stringify } from 'yaml';

import { CatalogError, MessageCatalog } from '../src/index.js';

/** A configuration directory with one XBRL message type of this `validation.xbrl`, and the files it names. */
function catalogWith(xbrl: object, files: readonly string[] = []): { dir: string; load: () => MessageCatalog } {
  const dir = mkdtempSync(join(tmpdir(), 'poort-catalog-'));
  mkdirSync(join(dir, 'message-types'));
  writeFileSync(join(dir, 'schema.xsd'), '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>');
  for (const file of files) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), 'PK');
  }
  writeFileSync(
    join(dir, 'message-types/ob.yaml'),
    stringify({
      berichtsoort: 'ob',
      description: 'aangifte',
      authorization: { allowedSenders: ['00000099000000000001'] },
      validation: { schema: 'schema.xsd', rootElement: '{http://www.xbrl.org/2003/instance}xbrl', xbrl },
      routing: { routes: [{ recipient: 'ontvanger' }] },
    }),
  );
  writeFileSync(join(dir, 'recipients.yaml'), stringify({ recipients: [{ id: 'ontvanger', name: 'Ontvanger', oin: '00000099000000000101', endpoint: 'https://ontvanger.example/inbox' }] }));
  return { dir, load: () => MessageCatalog.load(dir, {}) };
}

describe('validation.xbrl: the taxonomy packages of an XBRL message type', () => {
  it('are resolved against the configuration directory (or taken as they are when absolute), with Calc 1.1 by default', () => {
    const { dir, load } = catalogWith({ taxonomyPackages: ['taxonomies/nt20.zip'] }, ['taxonomies/nt20.zip']);
    const catalog = load();
    const type = catalog.get('ob');
    assert.deepEqual(catalog.taxonomyPackagePaths(type), [join(dir, 'taxonomies/nt20.zip')]);
    assert.equal(type.validation.xbrl?.calculation, 'c11r');
    const absolute = catalogWith({ taxonomyPackages: [join(dir, 'taxonomies/nt20.zip')] });
    assert.deepEqual(absolute.load().taxonomyPackagePaths(absolute.load().get('ob')), [join(dir, 'taxonomies/nt20.zip')]);
  });

  it('must exist: a missing package stops the start with its name', () => {
    const { load } = catalogWith({ taxonomyPackages: ['taxonomies/nt21.zip'] });
    assert.throws(load, (error: unknown) => error instanceof CatalogError && /taxonomy package taxonomies\/nt21\.zip does not exist/.test(error.message));
  });

  it('an entry point is a URL, and the calculation check one Arelle knows', () => {
    for (const xbrl of [{ entryPoint: 'bd-rpt-ob-aangifte-2026.xsd' }, { calculation: 'c12' }]) {
      assert.throws(catalogWith(xbrl).load, CatalogError);
    }
  });

  it('a type without `xbrl` has no packages', () => {
    const { load } = catalogWith({});
    assert.deepEqual(load().taxonomyPackagePaths(load().get('ob')), []);
  });
});
