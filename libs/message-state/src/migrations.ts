import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import type { Pool } from './db.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));
// Any constant will do; it only keeps two migration jobs from running at once.
const MIGRATION_LOCK = 7_460_001;

export interface MigrationResult {
  readonly applied: readonly string[];
  readonly alreadyApplied: number;
}

/** Applies the plain-SQL migrations in file-name order, each in its own transaction, once. */
export async function migrate(pool: Pool, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  const files = await migrationFiles(dir);
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ version: string }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((row) => row.version));
    const applied: string[] = [];
    for (const file of files) {
      const version = versionOf(file);
      if (done.has(version)) continue;
      const sql = await readFile(`${dir}/${file}`, 'utf8');
      try {
        await client.query('BEGIN');
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${file} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(version);
    }
    return { applied, alreadyApplied: done.size };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}

/** The migrations this build needs that the database has not applied (all of them while it has none). */
export async function pendingMigrations(pool: Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  const needed = (await migrationFiles(dir)).map(versionOf);
  const { rows: [table] } = await pool.query<{ exists: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS exists");
  if (!table?.exists) return needed;
  const { rows } = await pool.query<{ version: string }>('SELECT version FROM schema_migrations');
  const applied = new Set(rows.map((row) => row.version));
  return needed.filter((version) => !applied.has(version));
}

export interface SchemaWait {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  /** Called before each wait, with what is still missing. */
  readonly onPending: (pending: readonly string[]) => void;
}

/**
 * Resolves once the database has every migration this build needs. The migration runs as its own job (a Helm hook
 * in Kubernetes), so a service can start before it ends; it waits rather than fail on a missing table. A database
 * with migrations this build does not know (after a rollback) is accepted: each migration keeps the release before it working.
 */
export async function waitForSchema(pool: Pool, wait: SchemaWait, dir = MIGRATIONS_DIR): Promise<void> {
  const deadline = Date.now() + wait.timeoutMs;
  for (;;) {
    const pending = await pendingMigrations(pool, dir);
    if (pending.length === 0) return;
    if (Date.now() >= deadline) throw new Error(`the database lacks migrations ${pending.join(', ')} after ${wait.timeoutMs} ms: run the migration job`);
    wait.onPending(pending);
    await sleep(wait.intervalMs);
  }
}

async function migrationFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => /^\d{4}_[\w-]+\.sql$/.test(name)).sort();
}

function versionOf(file: string): string {
  return file.replace(/\.sql$/, '');
}
