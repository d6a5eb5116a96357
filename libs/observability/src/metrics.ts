import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process, with the metrics every stage of the chain reports the same way. */
export class PoortMetrics {
  readonly registry = new Registry();

  readonly eventsHandled: Counter<'topic' | 'outcome'>;
  readonly handleDuration: Histogram<'topic'>;
  readonly statusesEmitted: Counter<'code'>;
  readonly consumerLag: Gauge<'topic' | 'partition'>;
  readonly outboxPublished: Counter;
  readonly deadLettered: Counter<'topic'>;
  readonly refusals: Counter<'code'>;
  readonly dependencyOutages: Counter<'dependency'>;
  readonly redriven: Counter<'topic'>;
  readonly stuckMessages: Counter<'step'>;

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.eventsHandled = new Counter({
      name: 'poort_events_handled_total',
      help: 'Kafka events handled, by topic and outcome (done, duplicate, dead_lettered)',
      labelNames: ['topic', 'outcome'],
      registers,
    });
    this.handleDuration = new Histogram({
      name: 'poort_event_handle_seconds',
      help: 'Time to handle one Kafka event including its database transaction',
      labelNames: ['topic'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.statusesEmitted = new Counter({
      name: 'poort_statuses_emitted_total',
      help: 'Digipoort statuses emitted by this service, by code',
      labelNames: ['code'],
      registers,
    });
    this.consumerLag = new Gauge({
      name: 'poort_consumer_lag',
      help: 'Messages between the last handled offset and the partition high watermark',
      labelNames: ['topic', 'partition'],
      registers,
    });
    this.outboxPublished = new Counter({
      name: 'poort_outbox_published_total',
      help: 'Outbox records published to Kafka',
      registers,
    });
    this.deadLettered = new Counter({
      name: 'poort_dead_lettered_total',
      help: 'Events moved to a dead-letter topic after bounded retries or failed validation',
      labelNames: ['topic'],
      registers,
    });
    this.dependencyOutages = new Counter({
      name: 'poort_dependency_outages_total',
      help: 'Times handling began to wait for a dependency (Postgres) that was away, instead of failing events',
      labelNames: ['dependency'],
      registers,
    });
    this.redriven = new Counter({
      name: 'poort_redriven_total',
      help: 'Dead-lettered events re-driven into their topic by an operator',
      labelNames: ['topic'],
      registers,
    });
    this.stuckMessages = new Counter({
      name: 'poort_stuck_messages_total',
      help: 'Messages the sweeper found without progress past their deadline, by the last step they reached',
      labelNames: ['step'],
      registers,
    });
    this.refusals = new Counter({
      name: 'poort_requests_refused_total',
      help: 'Requests refused, by error code (HTTP 4xx and WUS faults, including refusals before any route ran)',
      labelNames: ['code'],
      registers,
    });
  }
}
