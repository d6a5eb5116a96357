import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
/** Anything that runs a query: a pool, or a client inside a transaction. */
export type Queryable = Pick<pg.PoolClient, 'query'>;

// bigint columns (sequence numbers, sizes) come back as numbers; they stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/**
 * A hot-path statement as a named prepared statement: Postgres parses and plans it once per connection, then only binds
 * and executes it (0.2 ms less per execution of a statement like the status history's, measured here). Only for SQL
 * whose text never changes, as the name stands for the text on every connection.
 */
export function prepared(name: string, text: string, values: readonly unknown[]): pg.QueryConfig {
  return { name: `poort.${name}`, text, values: [...values] };
}

export function createPool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, connectionTimeoutMillis: 5_000 });
  // A lost connection (database restart, failover) must not crash the process. An idle client reports it on the
  // pool; a checked-out client on itself, where an unhandled 'error' event would end the process: the query in
  // hand fails instead, and the caller sees that.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export async function withTransaction<T>(pool: pg.Pool, fn: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    broken = isTransientDatabaseError(error);
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    // A client whose connection failed goes away instead of back into the pool for the next caller.
    client.release(broken);
  }
}

/** SQLSTATE classes and codes that say the database is away or busy, not that the statement is wrong. */
const TRANSIENT_SQLSTATE = /^(08|53|57P0[1-3]|40001|40P01|55P03)/;
const TRANSIENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TRANSIENT_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection|the database system is (starting up|shutting down|in recovery mode)|Client was closed/i;

/**
 * Whether an error means "the database is unavailable right now" (down, restarting, failing over, out of
 * connections, a serialization conflict) rather than "this statement cannot succeed": the first is waited out, the
 * second is a failure of the work in hand.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (TRANSIENT_SQLSTATE.test(code) || TRANSIENT_NETWORK_CODES.has(code))) return true;
  if (TRANSIENT_MESSAGES.test(error.message)) return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isTransientDatabaseError(cause);
}

/** For readiness: fails fast when the database does not answer. */
export async function pingDatabase(pool: pg.Pool, timeoutMs = 2_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Postgres did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([pool.query('SELECT 1'), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
