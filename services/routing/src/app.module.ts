import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, messageCatalogProvider, platformOptionsFromEnv } from '@poort/nest-kit';

import type { RoutingConfig } from './config.js';
import { RoutingConsumer } from './routing/routing.consumer.js';

@Module({})
export class AppModule {
  static forRoot(config: RoutingConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forService(platformOptionsFromEnv('routing', config))],
      providers: [messageCatalogProvider(config.POORT_CONFIG_DIR), RoutingConsumer],
    };
  }
}
