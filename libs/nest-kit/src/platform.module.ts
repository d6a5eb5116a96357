import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { KafkaBus } from '@poort/kafka';
import { OutboxRelay, createPool, type Pool } from '@poort/message-state';
import { PoortMetrics, createLogger, type Logger } from '@poort/observability';
import { FaultInjection, StageRunner, UnitOfWork } from '@poort/pipeline';

import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';
import { PlatformLifecycle } from './platform-lifecycle.js';
import type { PlatformOptions } from './platform-options.js';
import { RefusalRenderers } from './refusal-renderers.js';
import { RequestAdmissions } from './request-admissions.js';
import { DB_POOL, LOGGER, PLATFORM_OPTIONS } from './tokens.js';

/**
 * What every Poort service has: logger, metrics, Postgres pool, Kafka bus, outbox relay, the unit of work that
 * commits effects with their events, the stage runner, and the /health and /metrics endpoints.
 */
@Global()
@Module({})
export class PlatformModule {
  static forService(options: PlatformOptions): DynamicModule {
    const { service, kafka } = options;
    return {
      module: PlatformModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: PLATFORM_OPTIONS, useValue: options },
        { provide: LOGGER, useValue: createLogger(service, options.logLevel) },
        { provide: PoortMetrics, useValue: new PoortMetrics(service) },
        { provide: DB_POOL, useFactory: () => createPool(options.database.url, options.database.poolSize) },
        {
          provide: KafkaBus,
          inject: [LOGGER],
          useFactory: (logger: Logger) =>
            new KafkaBus({ brokers: kafka.brokers, clientId: kafka.clientId, namespace: kafka.namespace, sessionTimeoutMs: kafka.sessionTimeoutMs, tls: kafka.tls }, logger),
        },
        {
          provide: OutboxRelay,
          inject: [DB_POOL, KafkaBus, LOGGER, PoortMetrics],
          useFactory: (pool: Pool, bus: KafkaBus, logger: Logger, metrics: PoortMetrics) =>
            new OutboxRelay(pool, bus, service, logger, {
              onPublished: (count) => metrics.outboxPublished.inc(count),
              ...(options.outboxLingerMs === undefined ? {} : { handOffLingerMs: options.outboxLingerMs }),
            }),
        },
        {
          provide: UnitOfWork,
          inject: [DB_POOL, OutboxRelay, PoortMetrics],
          useFactory: (pool: Pool, relay: OutboxRelay, metrics: PoortMetrics) => new UnitOfWork({ pool, relay, source: service, metrics }),
        },
        {
          provide: StageRunner,
          inject: [KafkaBus, UnitOfWork, LOGGER, PoortMetrics],
          useFactory: (bus: KafkaBus, unitOfWork: UnitOfWork, logger: Logger, metrics: PoortMetrics) => {
            if (options.faultFile) logger.warn({ file: options.faultFile }, 'fault injection is on (POORT_FAULT_FILE): for tests only');
            return new StageRunner({
              bus,
              unitOfWork,
              logger,
              metrics,
              maxRetries: kafka.maxRetries,
              retryBackoffMs: kafka.retryBackoffMs,
              ...(options.faultFile ? { faultInjection: new FaultInjection(options.faultFile) } : {}),
            });
          },
        },
        RefusalRenderers,
        RequestAdmissions,
        PlatformLifecycle,
      ],
      exports: [PLATFORM_OPTIONS, LOGGER, PoortMetrics, DB_POOL, KafkaBus, OutboxRelay, UnitOfWork, StageRunner, RefusalRenderers, RequestAdmissions],
    };
  }
}
