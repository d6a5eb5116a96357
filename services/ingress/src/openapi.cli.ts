import { buildOpenApiDocument, writeOpenApiDocument } from '@poort/nest-kit';

import { INGRESS_OPENAPI } from './openapi.js';

/** `pnpm run openapi`: writes docs/openapi/ingress.json from the controllers (no Kafka or Postgres needed). */
const file = new URL('../../../../docs/openapi/ingress.json', import.meta.url);
writeOpenApiDocument(await buildOpenApiDocument(INGRESS_OPENAPI), file.pathname);
console.log(`wrote ${file.pathname}`);
