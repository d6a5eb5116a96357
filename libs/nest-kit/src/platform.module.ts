import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { KafkaBus } from '@poort/kafka';
import { OutboxRelay, createPool, type Pool } from '@poort/message-state';
import { PoortMetrics, createLogger, type Logger } from '@poort/observability';
import { StageRunner } from '@poort/pipeline';

import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';
import { PlatformLifecycle } from './platform-lifecycle.js';
import type { PlatformOptions } from './platform-options.js';
import { DB_POOL, LOGGER, PLATFORM_OPTIONS } from './tokens.js';

/**
 * What every Poort service has: logger, metrics, Postgres pool, Kafka bus, outbox relay, stage runner,
 * and the /health and /metrics endpoints.
 */
@Global()
@Module({})
export class PlatformModule {
  static forService(options: PlatformOptions): DynamicModule {
    return {
      module: PlatformModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: PLATFORM_OPTIONS, useValue: options },
        { provide: LOGGER, useValue: createLogger(options.service, options.logLevel) },
        { provide: PoortMetrics, useValue: new PoortMetrics(options.service) },
        { provide: DB_POOL, useFactory: () => createPool(options.database.url, options.database.poolSize) },
        {
          provide: KafkaBus,
          inject: [LOGGER],
          useFactory: (logger: Logger) => new KafkaBus({ brokers: options.kafka.brokers, clientId: options.kafka.clientId, namespace: options.kafka.namespace, sessionTimeoutMs: options.kafka.sessionTimeoutMs }, logger),
        },
        {
          provide: OutboxRelay,
          inject: [DB_POOL, KafkaBus, LOGGER, PoortMetrics],
          useFactory: (pool: Pool, bus: KafkaBus, logger: Logger, metrics: PoortMetrics) =>
            new OutboxRelay(pool, bus, options.service, logger, { onPublished: (count) => metrics.outboxPublished.inc(count) }),
        },
        {
          provide: StageRunner,
          inject: [DB_POOL, KafkaBus, OutboxRelay, LOGGER, PoortMetrics],
          useFactory: (pool: Pool, bus: KafkaBus, relay: OutboxRelay, logger: Logger, metrics: PoortMetrics) =>
            new StageRunner({
              pool,
              bus,
              relay,
              logger,
              metrics,
              source: options.service,
              maxRetries: options.kafka.maxRetries,
              retryBackoffMs: options.kafka.retryBackoffMs,
            }),
        },
        PlatformLifecycle,
      ],
      exports: [PLATFORM_OPTIONS, LOGGER, PoortMetrics, DB_POOL, KafkaBus, OutboxRelay, StageRunner],
    };
  }
}
