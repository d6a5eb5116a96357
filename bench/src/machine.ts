import { readFileSync, readdirSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';

// What a figure was measured on: the machine, the versions and the durability settings in force. Without this
// line two runs cannot be compared, and a run on a non-durable Postgres must not pass for a durable one.

export interface Machine {
  readonly cores: number;
  readonly memoryGiB: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly kafka: string;
  /**
   * Partitions the broker holds (directories in its log.dirs), leftovers of earlier test runs included: every
   * partition costs the broker a little, idle or not, so a broker full of old topics is slower.
   */
  readonly kafkaPartitions: number | undefined;
  readonly postgres: string;
  /** fsync, synchronous_commit and full_page_writes as the server runs them (a new session's view). */
  readonly durability: Readonly<Record<'fsync' | 'synchronous_commit' | 'full_page_writes', string>>;
  /** All three durability settings on: only then do the figures describe production-like Postgres. */
  readonly durable: boolean;
}

/** The one thing this module needs of a pg pool. */
export interface Queryable {
  query<R>(sql: string): Promise<{ rows: R[] }>;
}

export async function describeMachine(db: Queryable, kafkaBrokerPid: number | undefined, kafkaDataDir: string): Promise<Machine> {
  const setting = async (name: string) => (await db.query<Record<string, string>>(`SHOW ${name}`)).rows[0]![name]!;
  const durability = {
    fsync: await setting('fsync'),
    synchronous_commit: await setting('synchronous_commit'),
    full_page_writes: await setting('full_page_writes'),
  };
  return {
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    kafka: kafkaVersion(kafkaBrokerPid),
    kafkaPartitions: partitionCount(kafkaDataDir),
    postgres: await setting('server_version'),
    durability,
    durable: Object.values(durability).every((value) => value === 'on'),
  };
}

export function machineLine(machine: Machine): string {
  const d = machine.durability;
  return (
    `machine: ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.cpuModel}; Node ${machine.node}; Kafka ${machine.kafka} (${machine.kafkaPartitions ?? '?'} partitions); ` +
    `PostgreSQL ${machine.postgres} (fsync=${d.fsync}, synchronous_commit=${d.synchronous_commit}, full_page_writes=${d.full_page_writes})`
  );
}

/** A warning block to print when Postgres is not durable: such figures are not comparable with durable ones. */
export function durabilityWarning(machine: Machine): string | undefined {
  if (machine.durable) return undefined;
  const bar = '!'.repeat(100);
  return [
    bar,
    '!!! Postgres is NOT durable in this run (fsync, synchronous_commit and full_page_writes must all be on).',
    '!!! These figures do not describe a production-like chain and must not be compared with durable runs.',
    '!!! (POSTGRES_UNSAFE_NO_FSYNC=1 turns them off; scripts/infra/postgres.sh start without it turns them on.)',
    bar,
  ].join('\n');
}

/** A partition's directory is <topic>-<number>; the broker's own metadata and checkpoint files are not. */
function partitionCount(dataDir: string): number | undefined {
  try {
    return readdirSync(dataDir).filter((entry) => /-\d+$/.test(entry) && !entry.startsWith('__cluster_metadata')).length;
  } catch {
    return undefined;
  }
}

/**
 * The version of the broker actually running: its classpath is .cache/kafka/<version>/libs/* (scripts/infra/kafka.sh).
 * Falls back to KAFKA_VERSION, then to the only version in .cache/kafka.
 */
function kafkaVersion(pid: number | undefined): string {
  if (pid !== undefined) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const match = /\.cache\/kafka\/([^/]+)\/libs/.exec(cmdline);
      if (match) return match[1]!;
    } catch {
      // the broker is gone or unreadable: fall through
    }
  }
  if (process.env.KAFKA_VERSION) return `${process.env.KAFKA_VERSION} (KAFKA_VERSION)`;
  try {
    const root = process.env.POORT_ROOT ?? join(import.meta.dirname, '../../..');
    const versions = readdirSync(join(root, '.cache/kafka'));
    if (versions.length === 1) return `${versions[0]!} (.cache/kafka)`;
  } catch {
    // no cache
  }
  return 'unknown';
}
