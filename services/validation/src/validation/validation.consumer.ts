import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DEAD_LETTER_STATUS, FOUTCODE, STATUS, TOPICS, type EventOf } from '@poort/contracts';
import { PayloadStore, inGroupsOfAtMost } from '@poort/payload-store';
import { StageRunner, type Emissions } from '@poort/pipeline';

import { SchemaValidator, describeFindings } from './schema-validator.js';
import { describeArelleFindings } from './xbrl/arelle-log.js';
import { XbrlValidator } from './xbrl/xbrl-validator.js';

@Injectable()
export class ValidationConsumer implements OnModuleInit {
  constructor(
    private readonly stages: StageRunner,
    private readonly validator: SchemaValidator,
    private readonly payloads: PayloadStore,
    private readonly xbrl: XbrlValidator,
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
      const content = contents.get(envelope.content.id)!;
      const outcome = this.validator.validate(envelope.berichtsoort, content);
      if (!outcome.valid) {
        out.status(envelope, {
          code: STATUS.validatieMislukt,
          fout: { foutcode: FOUTCODE.validatieMislukt, foutbeschrijving: 'het bericht voldoet niet aan het XML-schema van de berichtsoort' },
          details: describeFindings(outcome.findings),
        });
        continue;
      }
      // Arelle unable to judge the filing throws: the stage's retries, then the message's 321 (VAS400).
      const xbrl = await this.xbrl.validate(envelope.berichtsoort, content);
      if (xbrl && !xbrl.valid) {
        out.status(envelope, {
          code: STATUS.validatieMislukt,
          fout: { foutcode: FOUTCODE.validatieMislukt, foutbeschrijving: 'het bericht voldoet niet aan de XBRL-taxonomie van de berichtsoort' },
          details: describeArelleFindings(xbrl.findings),
        });
        continue;
      }
      out.status(envelope, { code: STATUS.gevalideerd, ...(xbrl ? { details: xbrl.detail } : {}) });
      out.emit(TOPICS.validated, { envelope });
    }
  }
}
