import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, messageCatalogProvider, platformOptionsFromEnv } from '@poort/nest-kit';

import { AuthorizationConsumer } from './authorization/authorization.consumer.js';
import type { AuthorizationConfig } from './config.js';

@Module({})
export class AppModule {
  static forRoot(config: AuthorizationConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forService(platformOptionsFromEnv('authorization', config))],
      providers: [messageCatalogProvider(config.POORT_CONFIG_DIR), AuthorizationConsumer],
    };
  }
}
