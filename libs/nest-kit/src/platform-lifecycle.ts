import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ALL_TOPICS, deadLetterTopic } from '@poort/contracts';
import { KafkaBus } from '@poort/kafka';
import { OutboxRelay, waitForSchema, type Pool } from '@poort/message-state';
import { stopTracing, type Logger } from '@poort/observability';
import { StageRunner } from '@poort/pipeline';

import type { PlatformOptions } from './platform-options.js';
import { DB_POOL, LOGGER, PLATFORM_OPTIONS } from './tokens.js';

/** Long enough for a migration job that starts beside the services; a startup probe may restart the pod sooner. */
const SCHEMA_WAIT = { timeoutMs: 300_000, intervalMs: 2_000 };

/**
 * Start-up and shutdown order of a service. Start: the database has the schema this build needs (the migration job
 * may still be running), topics exist before anyone consumes, the relay runs before consumers emit. Shutdown, the
 * other way round: consumers finish and commit their batch (before-shutdown, when background workers such as
 * delivery's stop too), then the relay publishes what it was handed and stops, then the producer and the pool close,
 * then traces are flushed. Whatever the relay could not publish stays in the outbox for the next start or a replica.
 */
@Injectable()
export class PlatformLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(PLATFORM_OPTIONS) private readonly options: PlatformOptions,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(DB_POOL) private readonly pool: Pool,
    private readonly bus: KafkaBus,
    private readonly relay: OutboxRelay,
    private readonly stages: StageRunner,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await waitForSchema(this.pool, {
      ...SCHEMA_WAIT,
      onPending: (pending) => this.logger.warn({ pending }, 'waiting for the migration job: the database lacks migrations this build needs'),
    });
    await this.bus.connect();
    const { partitions, replicationFactor } = this.options.kafka;
    await this.bus.provisionTopics(
      ALL_TOPICS.flatMap((topic) => [topic, deadLetterTopic(topic)]).map((name) => ({ name, partitions, replicationFactor })),
    );
    this.relay.start();
    await this.stages.start();
    this.logger.info({}, 'platform started');
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.logger.info({ signal }, 'shutting down: consumers finish their batch');
    await this.bus.stopConsumers();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.bus.close();
    await this.pool.end();
    await stopTracing();
  }
}
