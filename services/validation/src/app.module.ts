import { Module, type DynamicModule } from '@nestjs/common';
import { MessageCatalog } from '@poort/message-types';
import { PlatformModule, messageCatalogProvider, platformOptionsFromEnv, poolBacked } from '@poort/nest-kit';
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
        messageCatalogProvider(config.POORT_CONFIG_DIR),
        { provide: SchemaValidator, inject: [MessageCatalog], useFactory: (catalog: MessageCatalog) => new SchemaValidator(catalog) },
        poolBacked(PayloadStore),
        ValidationConsumer,
      ],
    };
  }
}
