import { Module, type DynamicModule } from '@nestjs/common';
import type { Pool } from '@poort/message-state';
import { MessageCatalog } from '@poort/message-types';
import { DB_POOL, PlatformModule, platformOptionsFromEnv } from '@poort/nest-kit';
import { PayloadStore } from '@poort/payload-store';

import type { ValidationConfig } from './config.js';
import { SchemaValidator } from './validation/schema-validator.js';
import { ValidationConsumer } from './validation/validation.consumer.js';

@Module({})
export class AppModule {
  static forRoot(config: ValidationConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forService(platformOptionsFromEnv('validation', config))],
      providers: [
        { provide: SchemaValidator, useValue: new SchemaValidator(MessageCatalog.load(config.POORT_CONFIG_DIR)) },
        { provide: PayloadStore, inject: [DB_POOL], useFactory: (pool: Pool) => new PayloadStore(pool) },
        ValidationConsumer,
      ],
    };
  }
}
