import { Module, type DynamicModule } from '@nestjs/common';
import { MessageCatalog } from '@poort/message-types';
import { PlatformModule, messageCatalogProvider, platformOptionsFromEnv, poolBacked } from '@poort/nest-kit';
import { PayloadStore } from '@poort/payload-store';

import type { ValidationConfig } from './config.js';
import { RulesPool } from './rules/rules-pool.js';
import { MessageValidator } from './validation/message-validator.js';
import { SchemaValidator } from './validation/schema-validator.js';
import { VALIDATION_SETTINGS, ValidationConsumer } from './validation/validation.consumer.js';
import { ValidationMetrics } from './validation/validation.metrics.js';
import { ArelleWebService } from './validation/xbrl/arelle-web-service.js';
import { XbrlValidator } from './validation/xbrl/xbrl-validator.js';

@Module({})
export class AppModule {
  static forRoot(config: ValidationConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forService(platformOptionsFromEnv('validation', config))],
      providers: [
        messageCatalogProvider(config.POORT_CONFIG_DIR),
        { provide: SchemaValidator, inject: [MessageCatalog], useFactory: (catalog: MessageCatalog) => new SchemaValidator(catalog) },
        {
          provide: RulesPool,
          useFactory: () =>
            new RulesPool({
              threads: config.VALIDATION_RULES_THREADS,
              limits: { maxBytes: config.VALIDATION_RULES_MAX_BYTES, timeLimitMs: config.VALIDATION_RULES_TIME_LIMIT_MS },
            }),
        },
        {
          provide: MessageValidator,
          inject: [MessageCatalog, SchemaValidator, RulesPool, XbrlValidator],
          useFactory: (catalog: MessageCatalog, schemas: SchemaValidator, rules: RulesPool, xbrl: XbrlValidator) =>
            new MessageValidator(catalog, schemas, rules, xbrl),
        },
        { provide: XbrlValidator, inject: [MessageCatalog], useFactory: (catalog: MessageCatalog) => new XbrlValidator(catalog, arelleFor(catalog, config)) },
        poolBacked(PayloadStore),
        ValidationMetrics,
        { provide: VALIDATION_SETTINGS, useValue: { inMemoryMaxBytes: config.VALIDATION_IN_MEMORY_MAX_BYTES } },
        ValidationConsumer,
      ],
    };
  }
}

/** Arelle only when a message type has a taxonomy package: a sidecar's URL, else an Arelle of the service's own. */
function arelleFor(catalog: MessageCatalog, config: ValidationConfig): ArelleWebService | undefined {
  if (!XbrlValidator.needsArelle(catalog)) return undefined;
  const timeoutMs = config.VALIDATION_XBRL_TIMEOUT_MS;
  return new ArelleWebService(config.VALIDATION_ARELLE_URL ? { url: config.VALIDATION_ARELLE_URL, timeoutMs } : { command: config.VALIDATION_ARELLE_COMMAND, timeoutMs });
}
