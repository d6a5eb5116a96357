import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, messageCatalogProvider, platformOptionsFromEnv, poolBacked } from '@poort/nest-kit';
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
        poolBacked(PayloadStore),
        TransformationConsumer,
      ],
    };
  }
}
