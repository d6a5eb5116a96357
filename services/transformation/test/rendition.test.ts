import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { MessageCatalog } from '@poort/message-types';

import { renditionOf } from '../src/transformation/rendition.js';

const ROOT = process.env.POORT_ROOT ?? join(import.meta.dirname, '../../../..');
const catalog = MessageCatalog.load(join(ROOT, 'config'), {});
const invoice = readFileSync(join(ROOT, 'config/schemas/ubl-invoice/samples/valid-invoice.xml'));

describe('renditionOf: what the transformation stage stores for recipients that want another format', () => {
  test('an e-factuur gets its JSON summary, named after the submitted file', () => {
    const rendition = renditionOf(catalog.get('e-factuur'), invoice, 'factuur-2025-004187.xml');
    assert.equal(rendition?.mimeType, 'application/json');
    assert.equal(rendition?.bestandsnaam, 'factuur-2025-004187.json');
    const summary = JSON.parse(Buffer.from(rendition!.bytes).toString('utf8')) as Record<string, unknown>;
    assert.equal(typeof summary, 'object');
    assert.ok(Object.keys(summary).length > 0);
  });

  test('a type without a transformation keeps its content as submitted', () => {
    assert.equal(renditionOf(catalog.get('Omzetbelasting'), invoice, 'aangifte.xbrl'), undefined);
  });

  test('a long file name is cut to the 80 characters of the koppelvlak and keeps its extension', () => {
    const rendition = renditionOf(catalog.get('e-factuur'), invoice, `${'f'.repeat(79)}.xml`);
    assert.equal(rendition?.bestandsnaam.length, 80);
    assert.match(rendition?.bestandsnaam ?? '', /^f+\.json$/);
  });
});
