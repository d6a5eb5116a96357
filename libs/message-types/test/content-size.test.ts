import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { IN_MEMORY_MAX_BYTES, MessageType } from '../src/index.js';

const GIB = 1024 * 1024 * 1024;

const aType = (more: object) => ({
  berichtsoort: 't',
  description: 't',
  authorization: { allowedSenders: ['00000099000000000001'] },
  validation: { schema: 'schema.xsd' },
  routing: { routes: [{ recipient: 'archief' }] },
  ...more,
});

describe('content.maxBytes: large contents for types that never need them in memory', () => {
  it('defaults to 20 MiB', () => {
    assert.equal(MessageType.parse(aType({})).content.maxBytes, IN_MEMORY_MAX_BYTES);
    assert.equal(IN_MEMORY_MAX_BYTES, 20_971_520);
  });

  it('accepts up to 8 GiB for a type without transformation or renditions, and not beyond', () => {
    assert.equal(MessageType.parse(aType({ content: { maxBytes: 2 * GIB } })).content.maxBytes, 2 * GIB);
    assert.equal(MessageType.parse(aType({ content: { maxBytes: 8 * GIB } })).content.maxBytes, 8 * GIB);
    assert.equal(MessageType.safeParse(aType({ content: { maxBytes: 8 * GIB + 1 } })).success, false);
  });

  const inMemory: [string, object][] = [
    ['a transformation', { transformation: 'ubl-invoice-to-json' }],
    ['renditions offered to subscribers', { subscriberRenditions: ['ubl-invoice-to-cii'] }],
    ['a route that asks for a rendition', { routing: { routes: [{ recipient: 'archief', format: 'ubl-invoice-to-cii' }] } }],
  ];
  for (const [what, more] of inMemory) {
    it(`refuses more than 20 MiB for a type with ${what}, saying why`, () => {
      const result = MessageType.safeParse(aType({ ...more, content: { maxBytes: IN_MEMORY_MAX_BYTES + 1 } }));
      assert.equal(result.success, false);
      const issue = result.error!.issues[0]!;
      assert.deepEqual(issue.path, ['content', 'maxBytes']);
      assert.match(issue.message, /transformation or renditions reads its content in memory: content\.maxBytes may be at most 20971520/);
      assert.equal(MessageType.safeParse(aType({ ...more, content: { maxBytes: IN_MEMORY_MAX_BYTES } })).success, true);
    });
  }
});
