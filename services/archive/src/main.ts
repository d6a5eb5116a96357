import { runService } from '@poort/nest-kit';

import { AppModule } from './app.module.js';
import { loadArchiveConfig } from './config.js';

const config = loadArchiveConfig();
await runService('archive', AppModule.forRoot(config), { host: config.HOST, port: config.PORT }, config.OTEL_EXPORTER_OTLP_ENDPOINT);
