import { Injectable } from '@nestjs/common';
import { PoortMetrics } from '@poort/observability';
import { Counter, Gauge } from 'prom-client';

/** What an operator watches of ingress' back-pressure: the verdict, what it was made from, and what it refused. */
@Injectable()
export class ChainLoadMetrics {
  readonly busy: Gauge;
  readonly retryAfter: Gauge;
  readonly lag: Gauge<'group' | 'topic'>;
  readonly backlog: Gauge;
  readonly busyRefusals: Counter<'reason'>;

  constructor(metrics: PoortMetrics) {
    const registers = [metrics.registry];
    this.busy = new Gauge({
      name: 'poort_ingress_busy',
      help: "This ingress's verdict on the chain: 1 busy (submissions refused with 503 / ALS400), 0 open",
      registers,
    });
    this.retryAfter = new Gauge({
      name: 'poort_ingress_retry_after_seconds',
      help: 'The Retry-After a busy answer gives now (0 while open)',
      registers,
    });
    this.lag = new Gauge({
      name: 'poort_ingress_chain_lag',
      help: 'Events a consumer group of the message path is behind on its topic, as ingress last sampled it',
      labelNames: ['group', 'topic'],
      registers,
    });
    this.backlog = new Gauge({
      name: 'poort_ingress_outbox_backlog',
      help: 'Events waiting in the outbox for a relay, as ingress last sampled it (counted up to a cap)',
      registers,
    });
    this.busyRefusals = new Counter({
      name: 'poort_ingress_busy_refusals_total',
      help: 'Submissions refused as busy, by reason (chain: lag or outbox over the limit; in-flight: this process at its limit)',
      labelNames: ['reason'],
      registers,
    });
  }
}
