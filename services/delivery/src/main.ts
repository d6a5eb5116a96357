import { runService } from '@poort/nest-kit';

import { AppModule } from './app.module.js';
import { loadDeliveryConfig } from './config.js';

const config = loadDeliveryConfig();
await runService('delivery', AppModule.forRoot(config), { host: config.HOST, port: config.PORT }, config.OTEL_EXPORTER_OTLP_ENDPOINT);
