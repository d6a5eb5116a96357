import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalizeExclusive, compileXPath, elementAt, withXmlDocument } from '../src/index.js';

const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

const xml = `<?xml version="1.0" encoding="UTF-8"?>
<!-- voor -->
<a:root xmlns:a="urn:a" xmlns:b="urn:b" xmlns:unused="urn:unused" z="1"   b:y='2'>
  <a:child xmlns:c="urn:c" attr="x &gt; y">tekst &amp; &lt; &gt; "q" &#x20AC;<!-- binnen --><empty/></a:child>
</a:root>`;

describe('canonicalizeExclusive', () => {
  it('canonicalizes a whole document without comments', () => {
    const out = withXmlDocument(xml, (doc) => decode(canonicalizeExclusive(doc)));
    assert.equal(out, `<a:root xmlns:a="urn:a" xmlns:b="urn:b" z="1" b:y="2">
  <a:child attr="x > y">tekst &amp; &lt; &gt; "q" €<empty></empty></a:child>
</a:root>`);
  });

  it('keeps comments when asked', () => {
    const out = withXmlDocument(xml, (doc) => decode(canonicalizeExclusive(doc, { withComments: true })));
    assert.ok(out.startsWith('<!-- voor -->\n<a:root '), out);
    assert.match(out, /€<!-- binnen --><empty>/);
  });

  it('canonicalizes a subtree with only the namespaces it uses', () => {
    const child = compileXPath('/a:root/a:child', { a: 'urn:a' });
    const out = withXmlDocument(xml, (doc) => {
      const element = elementAt(doc, child);
      assert.ok(element);
      return decode(canonicalizeExclusive(element));
    });
    assert.equal(out, '<a:child xmlns:a="urn:a" attr="x > y">tekst &amp; &lt; &gt; "q" €<empty></empty></a:child>');
  });

  it('renders the InclusiveNamespaces PrefixList', () => {
    const child = compileXPath('/a:root/a:child', { a: 'urn:a' });
    const out = withXmlDocument(xml, (doc) => decode(canonicalizeExclusive(elementAt(doc, child)!, { inclusiveNamespacePrefixes: ['b', 'c'] })));
    assert.equal(out, '<a:child xmlns:a="urn:a" xmlns:b="urn:b" xmlns:c="urn:c" attr="x > y">tekst &amp; &lt; &gt; "q" €<empty></empty></a:child>');
  });
});
