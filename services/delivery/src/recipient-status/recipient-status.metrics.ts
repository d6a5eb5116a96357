import { Injectable } from '@nestjs/common';
import { PoortMetrics } from '@poort/observability';
import { Counter } from 'prom-client';

@Injectable()
export class RecipientStatusMetrics {
  /** Every report, by its outcome: recorded, repeated (the same again, nothing recorded) or refused with its code. */
  readonly reports: Counter<'outcome' | 'code'>;

  constructor(metrics: PoortMetrics) {
    this.reports = new Counter({
      name: 'poort_recipient_status_reports_total',
      help: 'Recipient status reports (zetStatus over WUS and REST) by outcome (recorded, repeated, refused) and code (500, 510 or the refusal code)',
      labelNames: ['outcome', 'code'],
      registers: [metrics.registry],
    });
  }
}
