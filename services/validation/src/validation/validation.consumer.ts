import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DEAD_LETTER_STATUS, TOPICS, type EventOf } from '@poort/contracts';
import { MessageCatalog } from '@poort/message-types';
import { PayloadStore, inGroupsOfAtMost } from '@poort/payload-store';
import { StageRunner, type Emissions } from '@poort/pipeline';

import { MessageValidator } from './message-validator.js';
import { ValidationMetrics } from './validation.metrics.js';
import { validationStatus } from './validation-status.js';

@Injectable()
export class ValidationConsumer implements OnModuleInit {
  constructor(
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
        for (const group of inGroupsOfAtMost(events, ({ envelope }) => envelope.content.size)) await this.validate(group, out);
      },
    });
  }

  /** A group of the run's events, whose contents are read at once and validated at once (rules across the pool). */
  private async validate(events: readonly EventOf<typeof TOPICS.authorized>[], out: Emissions): Promise<void> {
    const contents = await this.payloads.readAll(events.map(({ envelope }) => envelope.content));
    const verdicts = await this.validator.validateAll(
      events.map(({ envelope }) => ({ berichtsoort: envelope.berichtsoort, content: contents.get(envelope.content.id)! })),
    );
    events.forEach(({ envelope }, index) => {
      const verdict = verdicts[index]!;
      this.metrics.record(envelope.berichtsoort, verdict);
      const ruleSets = this.catalog.get(envelope.berichtsoort).validation.rules;
      out.status(envelope, validationStatus(verdict, ruleSets));
      if (verdict.kind === 'valid') out.emit(TOPICS.validated, { envelope });
    });
  }
}
