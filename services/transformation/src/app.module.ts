import { Module, type DynamicModule } from '@nestjs/common';
import type { Pool } from '@poort/message-state';
import { DB_POOL, PlatformModule, messageCatalogProvider, platformOptionsFromEnv } from '@poort/nest-kit';
import { PayloadStore } from '@poort/payload-store';

import type { TransformationConfig } from './config.js';
import { TransformationConsumer } from './transformation/transformation.consumer.js';

@Module({})
export class AppModule {
  static forRoot(config: TransformationConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forService(platformOptionsFromEnv('transformation', config))],
      providers: [
        messageCatalogProvider(config.POORT_CONFIG_DIR),
        { provide: PayloadStore, inject: [DB_POOL], useFactory: (pool: Pool) => new PayloadStore(pool) },
        TransformationConsumer,
      ],
    };
  }
}
