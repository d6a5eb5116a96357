import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { contentDisposition, extValue, headerText } from '../src/delivery/channels/header-encoding.js';

/** What a recipient does with an RFC 8187 ext-value: the exact text back. */
const decode = (value: string) => decodeURIComponent(value.replace(/^UTF-8''/, ''));

describe('header values from what a sender chose travel intact (RFC 8187)', () => {
  test('an ext-value keeps attr-chars and percent-encodes the rest as UTF-8, and decodes to the exact text', () => {
    assert.equal(extValue('a b'), "UTF-8''a%20b");
    assert.equal(extValue('€'), "UTF-8''%E2%82%AC");
    for (const text of ['faktura-łódź.xml', '日本語.pdf', 'a%20b', '"quoted"\\', 'emoji-😀.xml']) assert.equal(decode(extValue(text)), text);
  });

  test('printable ASCII goes as is; anything else, and text that looks encoded itself, as an ext-value', () => {
    assert.equal(headerText('ref-2026-001'), 'ref-2026-001');
    assert.equal(headerText('ref-żółw'), "UTF-8''ref-%C5%BC%C3%B3%C5%82w");
    assert.equal(headerText("UTF-8''ref"), "UTF-8''UTF-8%27%27ref");
    assert.equal(decode(headerText("UTF-8''ref")), "UTF-8''ref");
    for (const value of ['ref-żółw', 'tab\there']) assert.match(headerText(value), /^[\x21-\x7e]+$/, 'only printable ASCII reaches the header');
  });

  test('Content-Disposition: an ASCII filename for every client, and filename* with the exact name when they differ', () => {
    assert.equal(contentDisposition('factuur.xml'), 'attachment; filename="factuur.xml"');
    assert.equal(contentDisposition('łódź.xml'), "attachment; filename=\"__d_.xml\"; filename*=UTF-8''%C5%82%C3%B3d%C5%BA.xml");
    assert.equal(contentDisposition('a"b\\c.xml'), "attachment; filename=\"a_b_c.xml\"; filename*=UTF-8''a%22b%5Cc.xml");
  });
});
