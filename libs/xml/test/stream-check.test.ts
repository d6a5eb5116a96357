import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { checkXmlStream, type StreamCheckOptions } from '../src/index.js';

const XBRL = '{http://www.xbrl.org/2003/instance}xbrl';

/** The document in pieces of `size` bytes, as the payload store streams it (pieces split UTF-8 sequences and tags). */
async function* pieces(xml: string | Buffer, size = 7): AsyncIterable<Uint8Array> {
  const bytes = typeof xml === 'string' ? Buffer.from(xml) : xml;
  for (let offset = 0; offset < bytes.byteLength; offset += size) yield bytes.subarray(offset, offset + size);
}

const check = (xml: string | Buffer, options: StreamCheckOptions = { rootElement: XBRL }) => checkXmlStream(pieces(xml), options);

describe('checkXmlStream', () => {
  it('passes a well-formed document with the expected root, whatever the piece borders split', async () => {
    const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<xbrli:xbrl xmlns:xbrli="http://www.xbrl.org/2003/instance"><a>één &amp; € &#x20AC;</a><![CDATA[<x>]]><!-- c --></xbrli:xbrl>';
    assert.deepEqual(await check(xml), { wellFormed: true, rootElement: XBRL, bytes: Buffer.byteLength(xml) });
    assert.equal((await check(xml, {})).wellFormed, true);
  });

  const refusals: [string, string, string][] = [
    ['an unclosed element', '<xbrl xmlns="http://www.xbrl.org/2003/instance"><a></xbrl>', 'XML_MALFORMED'],
    ['text after the document element', '<xbrl xmlns="http://www.xbrl.org/2003/instance"/>tail', 'XML_MALFORMED'],
    ['an undeclared prefix', '<x:xbrl/>', 'XML_MALFORMED'],
    ['an undefined entity', '<xbrl xmlns="http://www.xbrl.org/2003/instance">&lol;</xbrl>', 'XML_MALFORMED'],
    ['an empty document', '', 'XML_MALFORMED'],
    ['a billion laughs', '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><xbrl>&lol2;</xbrl>', 'XML_DOCTYPE_FORBIDDEN'],
    ['an external entity (XXE)', '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xbrl xmlns="http://www.xbrl.org/2003/instance">&xxe;</xbrl>', 'XML_DOCTYPE_FORBIDDEN'],
    ['another document element', '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>', 'XML_ROOT_UNEXPECTED'],
    ['the right name in another namespace', '<xbrl xmlns="urn:other"/>', 'XML_ROOT_UNEXPECTED'],
    ['another declared encoding', '<?xml version="1.0" encoding="ISO-8859-1"?><xbrl xmlns="http://www.xbrl.org/2003/instance"/>', 'XML_ENCODING_UNSUPPORTED'],
  ];
  for (const [what, xml, code] of refusals) {
    it(`refuses ${what} with ${code}`, async () => {
      const result = await check(xml);
      assert.equal(result.wellFormed, false);
      assert.equal(result.wellFormed === false && result.code, code);
      assert.ok(result.wellFormed === false && result.diagnostic.message.startsWith(`${code}: `));
    });
  }

  it('refuses bytes that are not UTF-8', async () => {
    const result = await check(Buffer.concat([Buffer.from('<xbrl xmlns="http://www.xbrl.org/2003/instance">'), Buffer.from([0xff, 0xfe]), Buffer.from('</xbrl>')]));
    assert.equal(result.wellFormed === false && result.code, 'XML_ENCODING_UNSUPPORTED');
  });

  it('refuses nesting deeper than the limit, and a token longer than the limit', async () => {
    const deep = `<xbrl xmlns="http://www.xbrl.org/2003/instance">${'<e>'.repeat(300)}${'</e>'.repeat(300)}</xbrl>`;
    assert.equal(((await check(deep)) as { code?: string }).code, 'XML_TOO_DEEP');
    const comment = `<xbrl xmlns="http://www.xbrl.org/2003/instance"><!--${'x'.repeat(5_000)}--></xbrl>`;
    assert.equal(((await check(comment, { maxTokenChars: 1_000 })) as { code?: string }).code, 'XML_TOO_LARGE');
    assert.equal((await check(comment, { maxTokenChars: 10_000 })).wellFormed, true);
  });

  it('stops reading at the first problem', async () => {
    let read = 0;
    async function* endless(): AsyncIterable<Uint8Array> {
      yield Buffer.from('<wrong xmlns="urn:x">');
      for (;;) {
        read++;
        yield Buffer.from('<a/>');
      }
    }
    const result = await checkXmlStream(endless(), { rootElement: XBRL });
    assert.equal(result.wellFormed === false && result.code, 'XML_ROOT_UNEXPECTED');
    assert.ok(read <= 1, `read ${read} pieces after the refusal`);
  });
});
