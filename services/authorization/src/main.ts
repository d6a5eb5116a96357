import { httpOptionsFromEnv, runService } from '@poort/nest-kit';

import { AppModule } from './app.module.js';
import { loadAuthorizationConfig } from './config.js';

const config = loadAuthorizationConfig();
await runService('authorization', AppModule.forRoot(config), httpOptionsFromEnv(config), config.OTEL_EXPORTER_OTLP_ENDPOINT);
