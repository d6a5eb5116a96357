import { runService } from '@poort/nest-kit';

import { AppModule } from './app.module.js';
import { loadValidationConfig } from './config.js';

const config = loadValidationConfig();
await runService('validation', AppModule.forRoot(config), { host: config.HOST, port: config.PORT }, config.OTEL_EXPORTER_OTLP_ENDPOINT);
