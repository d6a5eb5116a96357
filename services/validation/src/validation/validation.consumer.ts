import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DEAD_LETTER_STATUS, FOUTCODE, STATUS, TOPICS } from '@poort/contracts';
import { PayloadStore } from '@poort/payload-store';
import { StageRunner } from '@poort/pipeline';

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
      },
    });
  }
}
