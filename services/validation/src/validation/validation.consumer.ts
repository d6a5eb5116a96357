import { createHash } from 'node:crypto';

import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DEAD_LETTER_STATUS, TOPICS, type EventOf, type PayloadRef } from '@poort/contracts';
import { MessageCatalog } from '@poort/message-types';
import { PayloadStore, inGroupsOfAtMost } from '@poort/payload-store';
import { StageRunner, type Emissions } from '@poort/pipeline';

import { MessageValidator, type ValidationVerdict } from './message-validator.js';
import { ValidationMetrics } from './validation.metrics.js';
import { validationStatus } from './validation-status.js';

export const VALIDATION_SETTINGS = Symbol('validation-settings');
export interface ValidationSettings {
  /** Larger contents are checked as a stream, never read whole (VALIDATION_IN_MEMORY_MAX_BYTES). */
  readonly inMemoryMaxBytes: number;
}

type Authorized = EventOf<typeof TOPICS.authorized>;

@Injectable()
export class ValidationConsumer implements OnModuleInit {
  constructor(
    @Inject(VALIDATION_SETTINGS) private readonly settings: ValidationSettings,
    private readonly stages: StageRunner,
    private readonly validator: MessageValidator,
    private readonly catalog: MessageCatalog,
    private readonly payloads: PayloadStore,
    private readonly metrics: ValidationMetrics,
  ) {}

  onModuleInit(): void {
    this.stages.register({
      name: 'validation',
      topic: TOPICS.authorized,
      technicalFailure: DEAD_LETTER_STATUS.validation,
      handleAll: async (events, { out }) => {
        const large = (event: Authorized) => event.envelope.content.size > this.settings.inMemoryMaxBytes;
        const inMemory = events.filter((event) => !large(event));
        for (const group of inGroupsOfAtMost(inMemory, ({ envelope }) => envelope.content.size)) await this.validate(group, out);
        for (const event of events.filter(large)) await this.validateStreamed(event, out);
      },
    });
  }

  /** One content too large for memory, checked as it streams from the payload store. */
  private async validateStreamed({ envelope }: Authorized, out: Emissions): Promise<void> {
    const content = hashChecked(envelope.content, this.payloads.stream(envelope.content));
    this.record(envelope, await this.validator.validateStreamed({ berichtsoort: envelope.berichtsoort, content }), out);
  }

  /** A group of the run's events, whose contents are read at once and validated at once (rules across the pool). */
  private async validate(events: readonly EventOf<typeof TOPICS.authorized>[], out: Emissions): Promise<void> {
    const contents = await this.payloads.readAll(events.map(({ envelope }) => envelope.content));
    const verdicts = await this.validator.validateAll(
      events.map(({ envelope }) => ({ berichtsoort: envelope.berichtsoort, content: contents.get(envelope.content.id)! })),
    );
    events.forEach(({ envelope }, index) => this.record(envelope, verdicts[index]!, out));
  }

  private record(envelope: Authorized['envelope'], verdict: ValidationVerdict, out: Emissions): void {
    this.metrics.record(envelope.berichtsoort, verdict);
    const ruleSets = this.catalog.get(envelope.berichtsoort).validation.rules;
    out.status(envelope, validationStatus(verdict, ruleSets));
    if (verdict.kind === 'valid') out.emit(TOPICS.validated, { envelope });
  }
}

/**
 * The stored bytes as they stream, checked against their SHA-256 at the end (as readAll checks a whole content): a
 * content that no longer matches is a technical failure, not a verdict. A check that stops early reads no further.
 */
async function* hashChecked(ref: PayloadRef, source: AsyncIterable<Buffer>): AsyncIterable<Uint8Array> {
  const hash = createHash('sha256');
  for await (const piece of source) {
    hash.update(piece);
    yield piece;
  }
  if (hash.digest('hex') !== ref.sha256) throw new Error(`payload ${ref.id} does not match its SHA-256`);
}
