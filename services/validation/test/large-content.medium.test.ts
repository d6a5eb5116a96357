import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { STATUS, TOPICS, type EventOf, type PayloadRef } from '@poort/contracts';
import { MessageCatalog } from '@poort/message-types';
import { PoortMetrics } from '@poort/observability';
import { CHUNK_BYTES, PayloadStore } from '@poort/payload-store';
import { Emissions, type StageDefinition, type StageRunner } from '@poort/pipeline';
import { ScratchDatabase, anEnvelope, requiredEnv } from '@poort/testing';

import { ValidationConsumer } from '../src/validation/validation.consumer.js';
import { ValidationMetrics } from '../src/validation/validation.metrics.js';
import { ROOT, validatorFor } from './rules-fixture.js';

/*
 * Contents over VALIDATION_IN_MEMORY_MAX_BYTES (small here, so the test stays fast) through the validation consumer,
 * on a real Postgres payload store: checked as a stream of several chunks, and the statuses a sender would see. Only
 * Kafka is left out: the consumer's stage handler is called with the events and the statuses it emits are read.
 */

const IN_MEMORY_MAX_BYTES = 64 * 1024;
const XBRLI = 'http://www.xbrl.org/2003/instance';

let db: ScratchDatabase;
let payloads: PayloadStore;
let handleAll: (events: readonly EventOf<typeof TOPICS.authorized>[], out: Emissions) => Promise<void>;
let metrics: ValidationMetrics;
let close: () => Promise<void>;

/** An XBRL-looking instance of about `bytes` bytes (many facts), with what `change` makes of it. */
function instance(bytes: number, change: (xml: string) => string = (xml) => xml): Buffer {
  const fact = '<ob:Omzet contextRef="c1" unitRef="EUR" decimals="0">123456</ob:Omzet>\n';
  const facts = fact.repeat(Math.ceil(bytes / fact.length));
  return Buffer.from(change(`<?xml version="1.0" encoding="UTF-8"?>\n<xbrli:xbrl xmlns:xbrli="${XBRLI}" xmlns:ob="urn:test:ob">\n${facts}</xbrli:xbrl>\n`));
}

async function stored(content: Buffer): Promise<PayloadRef> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    const ref = await payloads.put(client, content, { mimeType: 'application/xml', bestandsnaam: 'aangifte.xbrl' });
    await client.query('COMMIT');
    return ref;
  } finally {
    client.release();
  }
}

/** The status and events the consumer emits for one message of this content. */
async function validated(content: Buffer) {
  const envelope = anEnvelope({ berichtsoort: 'Omzetbelasting', content: await stored(content) });
  const out = new Emissions();
  await handleAll([{ eventId: randomUUID(), occurredAt: new Date().toISOString(), envelope }], out);
  assert.equal(out.statuses.length, 1);
  return { status: out.statuses[0]!, validated: out.records.filter((record) => record.topic === TOPICS.validated).length };
}

before(async () => {
  db = await ScratchDatabase.create(requiredEnv('DATABASE_URL'), 'validation_large');
  payloads = new PayloadStore(db.pool);
  const configDir = join(ROOT, 'config');
  const catalog = MessageCatalog.load(configDir, {});
  const fixture = validatorFor(configDir, { maxBytes: 1024 * 1024, timeLimitMs: 60_000 }, 1);
  close = fixture.close;
  metrics = new ValidationMetrics(new PoortMetrics("validation-test"));
  const stages = {
    register: (definition: StageDefinition<typeof TOPICS.authorized>) => {
      handleAll = (events, out) => definition.handleAll!(events, { tx: undefined as never, out });
    },
  } as unknown as StageRunner;
  new ValidationConsumer({ inMemoryMaxBytes: IN_MEMORY_MAX_BYTES }, stages, fixture.validator, catalog, payloads, metrics).onModuleInit();
});

after(async () => {
  await close?.();
  await db?.drop();
});

describe('validation of a content over VALIDATION_IN_MEMORY_MAX_BYTES', () => {
  test('a well-formed instance of several chunks is 301, with a warning that its schema and XBRL were not checked', async () => {
    const content = instance(2.5 * CHUNK_BYTES);
    const { status, validated: emitted } = await validated(content);
    assert.equal(status.statuscode, STATUS.gevalideerd);
    assert.equal(emitted, 1);
    assert.match(status.statusdetails ?? '', new RegExp(`^waarschuwing: de inhoud \\(${content.byteLength} bytes\\) is te groot om in het geheugen te controleren`));
    assert.match(status.statusdetails ?? '', /Niet gecontroleerd: het XML-schema\.$/);
    const verdicts = await metrics.verdicts.get();
    assert.ok(verdicts.values.some((value) => value.labels.verdict === 'valid_streamed' && value.value >= 1));
  });

  const refusals: [string, Buffer, RegExp][] = [
    ['not well-formed (an element never closed, deep in the second chunk)', instance(2 * CHUNK_BYTES, (xml) => xml.replace('</xbrli:xbrl>', '<open></xbrli:xbrl>')), /^regel \d+, kolom \d+: XML_MALFORMED: /],
    ['another document element', instance(200 * 1024, (xml) => xml.replaceAll('xbrli:xbrl', 'xbrli:linkbase')), /^regel 2, kolom \d+: XML_ROOT_UNEXPECTED: Element '\{http:\/\/www\.xbrl\.org\/2003\/instance\}linkbase': expected the document element \{http:\/\/www\.xbrl\.org\/2003\/instance\}xbrl/],
    ['a DOCTYPE (an entity bomb)', instance(200 * 1024, (xml) => xml.replace('\n<xbrli:xbrl', '\n<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n<xbrli:xbrl')), /^regel 2, kolom \d+: XML_DOCTYPE_FORBIDDEN: a DOCTYPE is not allowed/],
  ];
  for (const [what, content, detail] of refusals) {
    test(`${what}: 311 VAS500 with the coded reason, not passed on`, async () => {
      assert.ok(content.byteLength > IN_MEMORY_MAX_BYTES);
      const { status, validated: emitted } = await validated(content);
      assert.equal(status.statuscode, STATUS.validatieMislukt);
      assert.equal(status.statusFoutcode?.foutcode, 'VAS500');
      assert.match(status.statusdetails ?? '', detail);
      assert.equal(emitted, 0);
    });
  }

  test('stored bytes that no longer match their SHA-256 are a technical failure (retried, then dead-lettered), not a verdict', async () => {
    const ref = await stored(instance(2 * CHUNK_BYTES));
    // Still well-formed (the facts' values change), so only the hash can tell.
    await db.pool.query("UPDATE payload_chunks SET data = convert_to(replace(convert_from(data, 'UTF8'), '123456', '654321'), 'UTF8') WHERE payload_id = $1 AND seq = 1", [ref.id]);
    const envelope = anEnvelope({ berichtsoort: 'Omzetbelasting', content: ref });
    const out = new Emissions();
    await assert.rejects(handleAll([{ eventId: randomUUID(), occurredAt: new Date().toISOString(), envelope }], out), /does not match its SHA-256/);
    assert.equal(out.statuses.length, 0);
  });

  test('a content at the limit is still read whole and checked against its XSD (not well-formed XBRL: the schema says so)', async () => {
    const small = Buffer.from(`<xbrli:xbrl xmlns:xbrli="${XBRLI}"><xbrli:bogus/></xbrli:xbrl>`);
    const { status } = await validated(small);
    assert.equal(status.statuscode, STATUS.validatieMislukt);
    assert.doesNotMatch(status.statusdetails ?? '', /^XML_/);
  });
});
