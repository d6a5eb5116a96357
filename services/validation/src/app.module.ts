import { Module, type DynamicModule } from '@nestjs/common';
import { MessageCatalog } from '@poort/message-types';
import { PlatformModule, messageCatalogProvider, platformOptionsFromEnv, poolBacked } from '@poort/nest-kit';
import { PayloadStore } from '@poort/payload-store';

import type { ValidationConfig } from './config.js';
import { RulesPool } from './rules/rules-pool.js';
import { MessageValidator } from './validation/message-validator.js';
import { SchemaValidator } from './validation/schema-validator.js';
import { ValidationConsumer } from './validation/validation.consumer.js';
import { ValidationMetrics } from './validation/validation.metrics.js';

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
          inject: [MessageCatalog, SchemaValidator, RulesPool],
          useFactory: (catalog: MessageCatalog, schemas: SchemaValidator, rules: RulesPool) => new MessageValidator(catalog, schemas, rules),
        },
        poolBacked(PayloadStore),
        ValidationMetrics,
        ValidationConsumer,
      ],
    };
  }
}
