/**
 * The real Kafka and Postgres a test talks to, as scripts/test.sh provides them (scripts/infra/env.sh). A test
 * without them fails with a message that says how to run it, rather than being skipped.
 */
export interface InfraEnv {
  readonly databaseUrl: string;
  readonly kafkaBrokers: readonly string[];
}

export function infraEnv(): InfraEnv {
  return { databaseUrl: requiredEnv('DATABASE_URL'), kafkaBrokers: requiredEnv('KAFKA_BROKERS').split(',') };
}

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with scripts/test.sh (or source scripts/infra/env.sh after scripts/infra/up.sh)`);
  return value;
}
