import { randomBytes } from 'node:crypto';

import { createPool, migrate, type Pool } from '@poort/message-state';

/**
 * A database of its own for one test file or benchmark run, migrated like production, dropped afterwards:
 * runs share one Postgres server without seeing each other's rows.
 */
export class ScratchDatabase {
  private constructor(
    readonly name: string,
    readonly url: string,
    readonly pool: Pool,
    private readonly admin: Pool,
  ) {}

  /** migrated: false leaves it empty, as before the migration job. */
  static async create(serverUrl: string, label: string, { migrated = true } = {}): Promise<ScratchDatabase> {
    const name = `poort_${label.replace(/\W/g, '_')}_${randomBytes(3).toString('hex')}`;
    const admin = createPool(serverUrl, 1);
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const pool = createPool(url.toString(), 4);
    if (migrated) await migrate(pool);
    return new ScratchDatabase(name, url.toString(), pool, admin);
  }

  async count(table: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    return rows[0]!.n;
  }

  async drop(): Promise<void> {
    await this.pool.end();
    await this.admin.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`).catch(() => undefined);
    await this.admin.end();
  }
}
