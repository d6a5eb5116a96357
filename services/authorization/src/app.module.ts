import { Module, type DynamicModule } from '@nestjs/common';
import { MessageCatalog } from '@poort/message-types';
import { PlatformModule, platformOptionsFromEnv } from '@poort/nest-kit';

import { AuthorizationConsumer } from './authorization/authorization.consumer.js';
import type { AuthorizationConfig } from './config.js';

@Module({})
export class AppModule {
  static forRoot(config: AuthorizationConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forService(platformOptionsFromEnv('authorization', config))],
      providers: [{ provide: MessageCatalog, useValue: MessageCatalog.load(config.POORT_CONFIG_DIR) }, AuthorizationConsumer],
    };
  }
}
