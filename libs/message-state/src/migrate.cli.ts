import { databaseEnv, loadConfig } from '@poort/config';
import { z } from 'zod';

import { createPool } from './db.js';
import { migrate } from './migrations.js';

// The migration job: run before the services start (locally by scripts/, in Kubernetes as a Helm hook Job).
const config = loadConfig('migrate', z.object(databaseEnv));
const pool = createPool(config.DATABASE_URL, 1);
try {
  const result = await migrate(pool);
  console.log(
    JSON.stringify({ level: 'info', service: 'migrate', applied: result.applied, alreadyApplied: result.alreadyApplied, msg: 'migrations done' }),
  );
} catch (error) {
  console.error(JSON.stringify({ level: 'error', service: 'migrate', msg: (error as Error).message }));
  process.exitCode = 1;
} finally {
  await pool.end();
}
