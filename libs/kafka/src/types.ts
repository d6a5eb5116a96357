/** The wrapper's own vocabulary, so that no service sees a kafkajs type and the client can be replaced here. */
export interface OutgoingMessage {
  readonly topic: string;
  readonly key: string;
  readonly value: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface IncomingMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | undefined;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export interface KafkaSettings {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /**
   * Prepended to every topic and consumer group on the cluster, so that several environments (or test runs)
   * share one cluster without seeing each other. Services keep using the plain names.
   */
  readonly namespace?: string;
  /** How long the group waits for a silent consumer before giving its partitions to another (min 6 s on the broker). */
  readonly sessionTimeoutMs?: number;
  /** TLS to the brokers, verified against ca; cert and key authenticate this client (mutual TLS). Absent: plaintext. */
  readonly tls?: KafkaTls;
}

/** PEM contents, not file names: the wrapper reads no files. */
export interface KafkaTls {
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
}

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
}

/** How far a consumer group is behind on a topic: what it has not yet committed, summed over the partitions. */
export interface ConsumerLag {
  readonly groupId: string;
  readonly topic: string;
  /** Messages between the group's committed offset and the end of each partition, summed. */
  readonly lag: number;
  readonly partitions: readonly { readonly partition: number; readonly lag: number }[];
}

/** Minimal logging port, satisfied by pino. */
export interface KafkaLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
