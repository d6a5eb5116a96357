import { Inject, Injectable } from '@nestjs/common';
import { Refusal } from '@poort/contracts';
import { MessageCatalog } from '@poort/message-types';
import { LOGGER } from '@poort/nest-kit';
import type { Logger } from '@poort/observability';
import type { ClientIdentity } from '@poort/pki';
import { UnitOfWork } from '@poort/pipeline';

import { ZETSTATUS_CODE, checkReport, decideRecipientStatus, type RecipientStatusCode, type RecipientStatusReport } from './recipient-status.decision.js';
import { RecipientStatusMetrics } from './recipient-status.metrics.js';
import { RecipientStatusesRepository } from './recipient-statuses.repository.js';

/** zetStatusResponse: the message and the status it now has from this recipient. */
export interface RecipientStatusAnswer {
  readonly kenmerk: string;
  readonly statuscode: RecipientStatusCode;
}

/**
 * zetStatus, the same over WUS and REST: a recipient sets its own processing result (500/510) for a message Poort
 * delivered to it. The status is committed with the delivery's record of it through the outbox, scoped to the
 * recipient, so the sender sees it through the status service as every other status, once per recipient.
 */
@Injectable()
export class RecipientStatusService {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly statuses: RecipientStatusesRepository,
    private readonly catalog: MessageCatalog,
    private readonly metrics: RecipientStatusMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async zetStatus(caller: ClientIdentity, report: RecipientStatusReport): Promise<RecipientStatusAnswer> {
    try {
      // What needs no message is refused before a transaction is opened.
      checkReport(report, new Date());
      const decision = await this.unitOfWork.commit(async ({ tx, out }) => {
        const found = await this.statuses.lock(tx, report.kenmerk);
        const message = found && {
          tijdstempelAangeleverd: new Date(found.envelope.tijdstempelAangeleverd),
          deliveries: found.deliveries.map((delivery) => ({ ...delivery, recipientOin: this.catalog.findRecipient(delivery.recipientId)?.oin })),
        };
        const decided = decideRecipientStatus(report, caller.oin, message, new Date());
        for (const recipientId of decided.record) {
          out.status(found!.envelope, {
            code: decided.code,
            scope: recipientId,
            at: report.tijdstempelStatus,
            ...(report.statusFoutcode ? { fout: report.statusFoutcode } : {}),
            ...(report.statusdetails ? { details: report.statusdetails } : {}),
          });
        }
        await this.statuses.record(tx, report.kenmerk, decided.record, { statuscode: decided.code, foutcode: report.statusFoutcode?.foutcode });
        return decided;
      });
      const outcome = decision.record.length > 0 ? 'recorded' : 'repeated';
      this.metrics.reports.inc({ outcome, code: decision.code });
      this.logger.info({ kenmerk: report.kenmerk, oin: caller.oin, statuscode: decision.code, recipients: decision.record, outcome }, 'recipient status');
      return { kenmerk: report.kenmerk, statuscode: decision.code };
    } catch (error) {
      if (error instanceof Refusal) {
        this.metrics.reports.inc({ outcome: 'refused', code: error.code });
        // Every refusal is logged where it is answered; a certificate setting the status of a message that is not its
        // own may be a forgery attempt, worth a warning of its own.
        if (error.code === ZETSTATUS_CODE.forbidden) {
          this.logger.warn({ kenmerk: report.kenmerk.slice(0, 40), oin: caller.oin, subject: caller.subject, code: error.code }, 'recipient status refused: not the recipient of the message');
        }
      }
      throw error;
    }
  }
}
