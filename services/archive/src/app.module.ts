import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, platformOptionsFromEnv, poolBacked } from '@poort/nest-kit';
import { PayloadStore } from '@poort/payload-store';

import { ArchiveConsumer } from './archive/archive.consumer.js';
import { ArchiveController } from './archive/archive.controller.js';
import { ArchiveRepository } from './archive/archive.repository.js';
import type { ArchiveConfig } from './config.js';

@Module({})
export class AppModule {
  static forRoot(config: ArchiveConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forService(platformOptionsFromEnv('archive', config))],
      controllers: [ArchiveController],
      providers: [
        poolBacked(ArchiveRepository),
        poolBacked(PayloadStore),
        ArchiveConsumer,
      ],
    };
  }
}
