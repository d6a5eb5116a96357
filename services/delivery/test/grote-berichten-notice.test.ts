import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseXml } from '@poort/xml';

import { GB_NAMESPACE, groteBerichtenFilename } from '../src/files/grote-berichten-notice.js';
import { LargeContentNotices } from '../src/files/large-content.js';

const notices = new LargeContentNotices({ inlineMaxBytes: 20 * 1024 * 1024, retentionMs: 7 * 86_400_000, baseUrl: 'https://poort.example:8443' });
const payload = {
  id: '00000000-0000-4000-8000-000000000001',
  size: 2 * 1024 * 1024 * 1024,
  sha256: 'ab'.repeat(32),
  mimeType: 'application/xbrl+xml',
  bestandsnaam: 'aangifte <2026> & "meer".xbrl',
};
const createdAt = new Date('2026-12-01T10:00:00.000Z');

describe('the Grote Berichten notice of a large content', () => {
  const { ref, bytes } = notices.noticeFor({ kenmerk: 'KM-1<&>"', payload, createdAt });
  const text = bytes.toString('utf8');

  it('is a document of the GB 2010/10 namespace with the profile, one data-reference per the schema\'s order', () => {
    const doc = parseXml(bytes);
    try {
      assert.equal(doc.root.name, 'digikoppeling-external-data-references');
      assert.equal(doc.root.namespaceUri, GB_NAMESPACE);
      assert.equal(doc.root.attr('profile')?.value, 'digikoppeling-gb-1.0');
      const ns = { gb: GB_NAMESPACE };
      const reference = doc.get('/gb:digikoppeling-external-data-references/gb:data-reference', ns);
      assert.ok(reference);
      const text = (path: string) => doc.get(`/gb:digikoppeling-external-data-references/gb:data-reference/${path}`, ns)?.content;
      assert.equal(doc.get('/gb:digikoppeling-external-data-references/gb:data-reference/@contextId', ns)?.content, 'KM-1<&>"');
      assert.equal(text('gb:lifetime/gb:creationTime'), '2026-12-01T10:00:00.000Z');
      assert.equal(text('gb:lifetime/gb:expirationTime'), '2026-12-08T10:00:00.000Z');
      assert.equal(doc.get('/gb:digikoppeling-external-data-references/gb:data-reference/gb:content/@contentType', ns)?.content, 'application/xbrl+xml');
      assert.equal(text('gb:content/gb:filename'), 'KM-1_____aangifte__2026_____meer_.xbrl');
      assert.equal(text('gb:content/gb:checksum'), 'ab'.repeat(32));
      assert.equal(doc.get('/gb:digikoppeling-external-data-references/gb:data-reference/gb:content/gb:checksum/@type', ns)?.content, 'SHA256');
      assert.equal(text('gb:content/gb:size'), '2147483648');
      assert.equal(text('gb:transport/gb:location/gb:senderUrl'), 'https://poort.example:8443/api/v1/bestanden/KM-1%3C%26%3E%22');
      const children = doc.find('/gb:digikoppeling-external-data-references/gb:data-reference/*', ns) as unknown as { name: string }[];
      assert.deepEqual(children.map((element) => element.name), ['lifetime', 'content', 'transport']);
    } finally {
      doc.dispose();
    }
  });

  it('escapes what it quotes: no markup of the kenmerk or file name gets through', () => {
    assert.match(text, /contextId="KM-1&lt;&amp;&gt;&quot;"/);
    assert.doesNotMatch(text, /<2026>/);
  });

  it('is delivered as application/xml under its own name, size and SHA-256', () => {
    assert.equal(ref.mimeType, 'application/xml');
    assert.equal(ref.size, bytes.byteLength);
    assert.equal(ref.bestandsnaam, 'KM-1_____aangifte__2026_____meer_.xbrl.gb.xml');
    assert.match(ref.sha256, /^[0-9a-f]{64}$/);
  });

  it('is the same document for every attempt of one delivery', () => {
    assert.ok(notices.noticeFor({ kenmerk: 'KM-1<&>"', payload, createdAt }).bytes.equals(bytes));
  });

  it('is for contents over the threshold only', () => {
    assert.equal(notices.isLarge({ size: 20 * 1024 * 1024 }), false);
    assert.equal(notices.isLarge({ size: 20 * 1024 * 1024 + 1 }), true);
  });
});

describe('groteBerichtenFilename', () => {
  it('keeps letters, digits, dot, underscore and dash, at most 200 with the extension kept', () => {
    assert.equal(groteBerichtenFilename('K1', 'factuur maart.xml'), 'K1_factuur_maart.xml');
    const long = groteBerichtenFilename('K1', `${'x'.repeat(300)}.xbrl`);
    assert.equal(long.length, 200);
    assert.ok(long.endsWith('.xbrl'));
    assert.match(long, /^[A-Za-z0-9._-]+$/);
  });
});
