import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DEAD_LETTER_STATUS, FOUTCODE, STATUS, TOPICS, type EventOf } from '@poort/contracts';
import { PayloadStore, inGroupsOfAtMost } from '@poort/payload-store';
import { StageRunner, type Emissions } from '@poort/pipeline';

import { SchemaValidator, describeFindings } from './schema-validator.js';

@Injectable()
export class ValidationConsumer implements OnModuleInit {
  constructor(
    private readonly stages: StageRunner,
    private readonly validator: SchemaValidator,
    private readonly payloads: PayloadStore,
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

  /** A group of the run's events, whose contents are read at once. */
  private async validate(events: readonly EventOf<typeof TOPICS.authorized>[], out: Emissions): Promise<void> {
    const contents = await this.payloads.readAll(events.map(({ envelope }) => envelope.content));
    for (const { envelope } of events) {
      const outcome = this.validator.validate(envelope.berichtsoort, contents.get(envelope.content.id)!);
      if (!outcome.valid) {
        out.status(envelope, {
          code: STATUS.validatieMislukt,
          fout: { foutcode: FOUTCODE.validatieMislukt, foutbeschrijving: 'het bericht voldoet niet aan het XML-schema van de berichtsoort' },
          details: describeFindings(outcome.findings),
        });
        continue;
      }
      out.status(envelope, { code: STATUS.gevalideerd });
      out.emit(TOPICS.validated, { envelope });
    }
  }
}
