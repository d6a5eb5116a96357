import { runService } from '@poort/nest-kit';

import { AppModule } from './app.module.js';
import { loadRoutingConfig } from './config.js';

const config = loadRoutingConfig();
await runService('routing', AppModule.forRoot(config), { host: config.HOST, port: config.PORT }, config.OTEL_EXPORTER_OTLP_ENDPOINT);
