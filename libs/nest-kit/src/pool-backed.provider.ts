import type { Provider } from '@nestjs/common';
import type { Pool } from '@poort/message-state';

import { DB_POOL } from './tokens.js';

/**
 * The one way a service provides a repository (or anything else built on the Postgres pool): the class stays free
 * of Nest, takes the pool in its constructor, and medium tests build it the same way on a scratch database.
 */
export function poolBacked<T>(type: new (pool: Pool) => T): Provider<T> {
  return { provide: type, inject: [DB_POOL], useFactory: (pool: Pool) => new type(pool) };
}
