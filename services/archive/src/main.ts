import { httpOptionsFromEnv, runService } from '@poort/nest-kit';

import { AppModule } from './app.module.js';
import { loadArchiveConfig } from './config.js';

const config = loadArchiveConfig();
await runService('archive', AppModule.forRoot(config), httpOptionsFromEnv(config), config.OTEL_EXPORTER_OTLP_ENDPOINT);
