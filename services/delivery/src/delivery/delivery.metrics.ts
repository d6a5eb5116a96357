import { Injectable } from '@nestjs/common';
import { PoortMetrics } from '@poort/observability';
import { Counter, Gauge, Histogram } from 'prom-client';

@Injectable()
export class DeliveryMetrics {
  readonly attempts: Counter<'recipient' | 'outcome'>;
  readonly attemptDuration: Histogram<'recipient'>;
  readonly inFlight: Gauge<'recipient'>;
  readonly circuitState: Gauge<'recipient'>;
  readonly fileBytesServed: Counter<'recipient'>;

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
    this.inFlight = new Gauge({
      name: 'poort_delivery_in_flight',
      help: 'Delivery attempts in flight, by recipient (at most its profile\'s concurrency)',
      labelNames: ['recipient'],
      registers: [metrics.registry],
    });
    this.circuitState = new Gauge({
      name: 'poort_delivery_circuit_state',
      help: 'Circuit breaker per recipient: 0 closed, 1 half-open (one probe), 2 open (nothing sent)',
      labelNames: ['recipient'],
      registers: [metrics.registry],
    });
    this.fileBytesServed = new Counter({
      name: 'poort_delivery_file_bytes_served_total',
      help: 'Bytes of large contents (Grote Berichten) that recipients fetched from the file endpoint, by recipient',
      labelNames: ['recipient'],
      registers: [metrics.registry],
    });
  }
}
