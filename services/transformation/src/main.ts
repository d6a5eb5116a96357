import { runService } from '@poort/nest-kit';

import { AppModule } from './app.module.js';
import { loadTransformationConfig } from './config.js';

const config = loadTransformationConfig();
await runService('transformation', AppModule.forRoot(config), { host: config.HOST, port: config.PORT }, config.OTEL_EXPORTER_OTLP_ENDPOINT);
