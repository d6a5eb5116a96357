import { httpOptionsFromEnv, runService } from '@poort/nest-kit';

import { AppModule } from './app.module.js';
import { loadDeliveryConfig } from './config.js';

const config = loadDeliveryConfig();
await runService('delivery', AppModule.forRoot(config), httpOptionsFromEnv(config), config.OTEL_EXPORTER_OTLP_ENDPOINT);
