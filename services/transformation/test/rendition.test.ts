import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { MessageCatalog } from '@poort/message-types';

import { renditionsOf } from '../src/transformation/rendition.js';

const ROOT = process.env.POORT_ROOT ?? join(import.meta.dirname, '../../../..');
const catalog = MessageCatalog.load(join(ROOT, 'config'), {});
const invoice = readFileSync(join(ROOT, 'config/schemas/ubl-invoice/samples/valid-invoice.xml'));
const invoiceId = /<cbc:ID>([^<]+)<\/cbc:ID>/.exec(invoice.toString('utf8'))![1]!;
/** The identiteitOntvanger whose e-invoices go to ministerie-fin as CII (config/message-types/e-factuur.yaml). */
const MINISTERIE_FIN = '00000099000000000103';

describe('renditionsOf: what the transformation stage stores for recipients that want another format', () => {
  test('an e-factuur gets its JSON summary, named after the submitted file', () => {
    const renditions = renditionsOf(catalog.get('e-factuur'), undefined, invoice, 'factuur-2025-004187.xml');
    assert.deepEqual(renditions.map((rendition) => rendition.name), ['ubl-invoice-to-json']);
    const [rendition] = renditions;
    assert.equal(rendition?.mimeType, 'application/json');
    assert.equal(rendition?.bestandsnaam, 'factuur-2025-004187.json');
    const summary = JSON.parse(Buffer.from(rendition!.bytes).toString('utf8')) as Record<string, unknown>;
    assert.equal(summary.invoiceId, invoiceId);
  });

  test('an e-factuur for the ministry whose route asks for CII gets a CII rendition beside its JSON summary', () => {
    const renditions = renditionsOf(catalog.get('e-factuur'), MINISTERIE_FIN, invoice, 'factuur.xml');
    assert.deepEqual(renditions.map((rendition) => rendition.name), ['ubl-invoice-to-json', 'ubl-invoice-to-cii']);
    const cii = renditions[1]!;
    assert.equal(cii.mimeType, 'application/xml');
    assert.equal(cii.bestandsnaam, 'factuur.xml');
    assert.match(Buffer.from(cii.bytes).toString('utf8'), new RegExp(`<rsm:CrossIndustryInvoice [^>]*>[\\s\\S]*<ram:ID>${invoiceId}</ram:ID>`));
  });

  test('a type without a transformation keeps its content as submitted', () => {
    assert.deepEqual(renditionsOf(catalog.get('Omzetbelasting'), undefined, invoice, 'aangifte.xbrl'), []);
  });

  test('a long file name is cut to the 80 characters of the koppelvlak and keeps its extension', () => {
    const [rendition] = renditionsOf(catalog.get('e-factuur'), undefined, invoice, `${'f'.repeat(79)}.xml`);
    assert.equal(rendition?.bestandsnaam.length, 80);
    assert.match(rendition?.bestandsnaam ?? '', /^f+\.json$/);
  });
});
