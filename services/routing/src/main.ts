import { httpOptionsFromEnv, runService } from '@poort/nest-kit';

import { AppModule } from './app.module.js';
import { loadRoutingConfig } from './config.js';

const config = loadRoutingConfig();
await runService('routing', AppModule.forRoot(config), httpOptionsFromEnv(config), config.OTEL_EXPORTER_OTLP_ENDPOINT);
