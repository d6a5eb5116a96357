import { runService } from '@poort/nest-kit';

import { AppModule } from './app.module.js';
import { loadAuthorizationConfig } from './config.js';

const config = loadAuthorizationConfig();
await runService('authorization', AppModule.forRoot(config), { host: config.HOST, port: config.PORT }, config.OTEL_EXPORTER_OTLP_ENDPOINT);
