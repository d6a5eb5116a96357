import { kafkaTlsFromEnv, type KafkaTlsFiles, type PlatformEnv } from '@poort/config';

export interface PlatformOptions {
  readonly service: string;
  readonly logLevel: string;
  readonly kafka: {
    readonly brokers: readonly string[];
    readonly clientId: string;
    readonly partitions: number;
    readonly replicationFactor: number;
    readonly namespace: string;
    readonly maxRetries: number;
    readonly retryBackoffMs: number;
    readonly sessionTimeoutMs: number;
    readonly tls?: KafkaTlsFiles;
  };
  readonly database: { readonly url: string; readonly poolSize: number };
  /** OutboxRelayOptions.handOffLingerMs of the service's outbox relay; default 0. */
  readonly outboxLingerMs?: number;
  /** Tests of the fault handling only (POORT_FAULT_FILE). */
  readonly faultFile?: string;
}

/** The platform settings every service reads from the same environment variables (see @poort/config). */
export function platformOptionsFromEnv(service: string, env: PlatformEnv): PlatformOptions {
  return {
    service,
    logLevel: env.LOG_LEVEL,
    kafka: {
      brokers: env.KAFKA_BROKERS,
      clientId: `${env.KAFKA_CLIENT_ID}-${service}`,
      partitions: env.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: env.KAFKA_REPLICATION_FACTOR,
      namespace: env.KAFKA_NAMESPACE,
      maxRetries: env.KAFKA_MAX_RETRIES,
      retryBackoffMs: env.KAFKA_RETRY_BACKOFF_MS,
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
      tls: kafkaTlsFromEnv(env),
    },
    database: { url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE },
    ...(env.POORT_FAULT_FILE ? { faultFile: env.POORT_FAULT_FILE } : {}),
  };
}
