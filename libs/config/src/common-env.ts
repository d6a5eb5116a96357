import { z } from 'zod';

import { secret } from './load-config.js';

const port = z.coerce.number().int().min(0).max(65535);
const csv = z.string().transform((value) => value.split(',').map((part) => part.trim()).filter(Boolean));
const flag = z.enum(['true', 'false']).transform((value) => value === 'true');
/** Durations in milliseconds: small numbers in tests, hours in production. */
export const durationMs = z.coerce.number().int().positive();

export const kafkaEnv = {
  KAFKA_BROKERS: csv.pipe(z.array(z.string().min(1)).min(1)),
  KAFKA_CLIENT_ID: z.string().default('poort'),
  /**
   * Partitions of each topic Poort creates: the most replicas of one stage that can share its work. 12 allows 1, 2, 3,
   * 4, 6 or 12 replicas to share evenly, above what the Helm chart lets a stage scale to; more partitions cost the
   * broker little at this size. Existing topics keep theirs (add partitions with Kafka's tools).
   */
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().positive().default(4),
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().positive().default(1),
  /** Prefix for topics and consumer groups: environments (or test runs) sharing a cluster stay apart. */
  KAFKA_NAMESPACE: z.string().regex(/^[a-z0-9.-]*$/).default(''),
  /** Retries of an event whose handling failed for a technical reason, before it goes to the dead-letter topic. */
  KAFKA_MAX_RETRIES: z.coerce.number().int().nonnegative().default(5),
  KAFKA_RETRY_BACKOFF_MS: z.coerce.number().int().positive().default(500),
  /** A crashed consumer's partitions move to another after this long without heartbeats. */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).default(30_000),
  /**
   * Mutual TLS to the brokers (e.g. a Strimzi KafkaUser with tls authentication): the CA that signed the brokers'
   * certificates, and this client's certificate and key (PEM files). Without KAFKA_SSL_CA_FILE: plaintext.
   */
  KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
  KAFKA_SSL_CERT_FILE: z.string().min(1).optional(),
  KAFKA_SSL_KEY_FILE: secret(z.string().min(1).optional()),
};

export const databaseEnv = {
  DATABASE_URL: secret(z.string().url()),
  DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(10),
};

/**
 * The HTTP server of every service, with limits that keep a slow or hostile client from tying it up. Defaults suit
 * a 27 MiB submission over a modest link; every limit is in milliseconds or bytes.
 */
export const httpEnv = {
  HOST: z.string().default('127.0.0.1'),
  PORT: port,
  /** The whole request, headers and body, must arrive within this (408 and the connection closed otherwise). */
  HTTP_REQUEST_TIMEOUT_MS: durationMs.default(120_000),
  /** The request headers (and, over TLS, the handshake) must arrive within this. */
  HTTP_HEADERS_TIMEOUT_MS: durationMs.default(10_000),
  /** An idle keep-alive connection is closed this long after its last response. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: durationMs.default(5_000),
  /** A connection on which nothing moves either way for this long is closed. */
  HTTP_IDLE_TIMEOUT_MS: durationMs.default(30_000),
  /** Connections open at once, in all. */
  HTTP_MAX_CONNECTIONS: z.coerce.number().int().positive().default(4_096),
  /** Connections open at once from one client address (0: no cap, e.g. behind a proxy that all traffic comes through). */
  HTTP_MAX_CONNECTIONS_PER_CLIENT: z.coerce.number().int().nonnegative().default(256),
  /** All request headers together. */
  HTTP_MAX_HEADER_BYTES: z.coerce.number().int().min(1_024).default(16_384),
  /** The body of a route that declares no limit of its own (submissions declare theirs). */
  HTTP_DEFAULT_BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(65_536),
};

/**
 * How services that identify callers by client certificate (ingress, notification) get that certificate:
 * two-way TLS ending at the service itself, or a header set by a trusted proxy where TLS ends in front of it.
 */
export const clientIdentityEnv = {
  CLIENT_IDENTITY_MODE: z.enum(['mtls', 'proxy-header']).default('mtls'),
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: secret(z.string().min(1).optional()),
  /** The CAs whose client certificates are trusted (in both modes). */
  TLS_CA_FILE: z.string().min(1),
  PROXY_CERT_HEADER: z.string().toLowerCase().default('x-ssl-client-cert'),
  /** CRLs of the trusted CAs (PEM, one file), checked for client and signing certificates. */
  TLS_CRL_FILE: z.string().min(1).optional(),
  /** Revocation status that cannot be established (no CRL, no OCSP answer) refuses the certificate unless soft-fail. */
  REVOCATION_POLICY: z.enum(['hard-fail', 'soft-fail']).default('hard-fail'),
};

/**
 * Who operates the platform: the OINs (comma-separated) whose client certificates may read every archived message
 * and use the operator-only (admin) routes. Anyone else reads only what it sent itself. Default: nobody.
 */
export const operatorEnv = {
  // The OIN rules of @poort/pki, which config may not import: 20 digits with a known 8-digit prefix.
  OPERATOR_OINS: csv.pipe(z.array(z.string().regex(/^(?:0000000[1-9]|00000099)\d{12}$/, 'an OIN is 20 digits with a known prefix (00000001-00000009, 00000099)'))).default([]),
};

/** Digipoort's WUS (SOAP) endpoints; responses are signed with the TLS server certificate unless others are given. */
export const wusEnv = {
  /** Base URL (scheme, host, port) clients reach this service at, for the WSDL's soap:address. */
  WUS_PUBLIC_URL: z.url().optional(),
  WUS_SIGNING_CERT_FILE: z.string().min(1).optional(),
  WUS_SIGNING_KEY_FILE: secret(z.string().min(1).optional()),
  /** A request whose wsu:Created is older than this is refused, and replays are checked within it. */
  WUS_MAX_MESSAGE_AGE_MS: z.coerce.number().int().positive().default(300_000),
  /**
   * Legacy: accept SHA-1 digests and RSA-SHA1 signatures in WS-Security, which older Digipoort clients still send
   * (the 2018 WSDLs name them). Off by default; logged at start when on.
   */
  WUS_ALLOW_SHA1: flag.default(false),
};

export const messageTypesEnv = {
  POORT_CONFIG_DIR: z.string().min(1),
};

/** For tests of the fault handling only: see FaultInjection in @poort/pipeline. Never set in production. */
export const faultInjectionEnv = {
  POORT_FAULT_FILE: z.string().min(1).optional(),
};

export const observabilityEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
};

/** How the process keeps its memory: read where it acts (libs/payload-store collection-cadence.ts). */
export const runtimeEnv = {
  /** Above this resident size (MiB) a stream of large contents collects its garbage as it goes; 0: never. */
  POORT_MEMORY_SOFT_LIMIT_MB: z.coerce.number().int().nonnegative().default(208),
};

export const envTypes = { port, csv, flag };

/** What every service of the chain needs: Kafka, Postgres, observability and its HTTP port. */
export const platformEnv = { ...kafkaEnv, ...databaseEnv, ...observabilityEnv, ...httpEnv, ...faultInjectionEnv, ...runtimeEnv };

/** The values a group of variables parses to: types are derived from the schemas, never restated. */
export type EnvOf<S extends z.ZodRawShape> = z.infer<z.ZodObject<S>>;
export type PlatformEnv = EnvOf<typeof platformEnv>;
export type HttpEnv = EnvOf<typeof httpEnv>;
export type ClientIdentityEnv = EnvOf<typeof clientIdentityEnv>;
export type WusEnv = EnvOf<typeof wusEnv>;
export type OperatorEnv = EnvOf<typeof operatorEnv>;
