import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { InvalidEventError, TOPICS, type EventOf } from '@poort/contracts';
import { IN_MEMORY_MAX_BYTES, MessageCatalog } from '@poort/message-types';
import type { PayloadStore } from '@poort/payload-store';
import { Emissions, type StageDefinition, type StageRunner } from '@poort/pipeline';

import { TransformationConsumer } from '../src/transformation/transformation.consumer.js';

const ROOT = process.env.POORT_ROOT ?? join(import.meta.dirname, '../../../..');

/** The consumer's stage handler, over the shipped configuration; its payload store must never be read here. */
function handler(): (events: readonly EventOf<typeof TOPICS.validated>[]) => Promise<void> {
  let definition: StageDefinition<typeof TOPICS.validated> | undefined;
  const stages = { register: (registered: typeof definition) => (definition = registered) } as unknown as StageRunner;
  const payloads = {
    readAll: () => assert.fail('a content over 20 MiB was read into memory'),
    putAll: async () => [],
  } as unknown as PayloadStore;
  new TransformationConsumer(stages, MessageCatalog.load(join(ROOT, 'config'), {}), payloads).onModuleInit();
  return (events) => definition!.handleAll!(events, { tx: undefined as never, out: new Emissions() });
}

const event = (size: number): EventOf<typeof TOPICS.validated> => ({
  eventId: '00000000-0000-4000-8000-000000000001',
  occurredAt: new Date().toISOString(),
  envelope: {
    kenmerk: 'kenmerk-groot',
    berichtsoort: 'e-factuur',
    sender: { oin: '00000099000000000001', certificateFingerprint: 'a'.repeat(64) },
    identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
    rolBelanghebbende: 'Bedrijf',
    content: { id: '00000000-0000-4000-8000-000000000002', size, sha256: 'b'.repeat(64), mimeType: 'application/xml', bestandsnaam: 'f.xml' },
    attachments: [],
    tijdstempelAangeleverd: new Date().toISOString(),
  },
});

describe('transformation: a content too large to read into memory', () => {
  test('is an invalid event (dead-lettered at once, not retried) with a coded reason, never read', async () => {
    await assert.rejects(handler()([event(IN_MEMORY_MAX_BYTES + 1)]), (error: unknown) => {
      assert.ok(error instanceof InvalidEventError);
      assert.match(error.message, /TRANSFORMATION_CONTENT_TOO_LARGE: the content of kenmerk-groot \(20971521 bytes\) is larger than the 20971520 bytes/);
      return true;
    });
  });
});
