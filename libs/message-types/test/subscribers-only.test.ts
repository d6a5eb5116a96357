import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { stringify } from 'yaml';

import { CatalogError, MessageCatalog } from '../src/index.js';

/** A configuration directory with one message type of this routing and one recipient, `ontvanger`. */
function catalogWith(routing: object): () => MessageCatalog {
  const dir = mkdtempSync(join(tmpdir(), 'poort-catalog-'));
  mkdirSync(join(dir, 'message-types'));
  writeFileSync(join(dir, 'schema.xsd'), '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>');
  writeFileSync(
    join(dir, 'message-types/t.yaml'),
    stringify({ berichtsoort: 't', description: 't', authorization: { allowedSenders: ['00000099000000000001'] }, validation: { schema: 'schema.xsd' }, routing }),
  );
  writeFileSync(join(dir, 'recipients.yaml'), stringify({ recipients: [{ id: 'ontvanger', name: 'Ontvanger', oin: '00000099000000000101', endpoint: 'https://ontvanger.example/inbox' }] }));
  return () => MessageCatalog.load(dir, {});
}

const refusedFor = (load: () => MessageCatalog, problem: RegExp) =>
  assert.throws(load, (error: unknown) => error instanceof CatalogError && problem.test(error.message));

describe('message types for subscribers only', () => {
  it('need no routes: only subscribers receive them', () => {
    const type = catalogWith({ subscribersOnly: true })().get('t');
    assert.deepEqual(type.routing, { routes: [], subscribersOnly: true });
  });

  it('a type with routes is for subscribers as well, by default', () => {
    assert.equal(catalogWith({ routes: [{ recipient: 'ontvanger' }] })().get('t').routing.subscribersOnly, false);
  });

  it('a type with neither routes nor subscribersOnly, or with both, stops the catalog', () => {
    refusedFor(catalogWith({ routes: [] }), /has routes, or is for subscribers only/);
    refusedFor(catalogWith({}), /has routes, or is for subscribers only/);
    refusedFor(catalogWith({ subscribersOnly: true, routes: [{ recipient: 'ontvanger' }] }), /has routes, or is for subscribers only/);
  });
});
