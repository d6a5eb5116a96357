import { Injectable } from '@nestjs/common';
import { PoortMetrics } from '@poort/observability';
import { Counter, Histogram } from 'prom-client';

@Injectable()
export class DeliveryMetrics {
  readonly attempts: Counter<'recipient' | 'outcome'>;
  readonly attemptDuration: Histogram<'recipient'>;

  constructor(metrics: PoortMetrics) {
    this.attempts = new Counter({
      name: 'poort_delivery_attempts_total',
      help: 'Delivery attempts by recipient and outcome (delivered, refused, failed)',
      labelNames: ['recipient', 'outcome'],
      registers: [metrics.registry],
    });
    this.attemptDuration = new Histogram({
      name: 'poort_delivery_attempt_seconds',
      help: 'Duration of one delivery attempt',
      labelNames: ['recipient'],
      registers: [metrics.registry],
    });
  }
}
