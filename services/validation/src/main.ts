import { httpOptionsFromEnv, runService } from '@poort/nest-kit';

import { AppModule } from './app.module.js';
import { loadValidationConfig } from './config.js';

const config = loadValidationConfig();
await runService('validation', AppModule.forRoot(config), httpOptionsFromEnv(config), config.OTEL_EXPORTER_OTLP_ENDPOINT);
