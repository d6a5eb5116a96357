import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { KafkaBus } from '../src/index.js';
import type { KafkaLogger } from '../src/index.js';

/** The real broker scripts/test.sh exports; without it the test fails with this message, it never skips. */
export function kafkaBrokers(): string[] {
  const value = process.env.KAFKA_BROKERS;
  if (!value) {
    throw new Error('KAFKA_BROKERS is not set: run the tests with scripts/test.sh (or source scripts/infra/env.sh after scripts/infra/up.sh)');
  }
  return value.split(',');
}

/** Quiet, but keeps what the wrapper logged for a failing assertion to show. */
export class RecordingLogger implements KafkaLogger {
  readonly entries: { level: string; message: string; fields: object }[] = [];
  info(fields: object, message: string): void {
    this.entries.push({ level: 'info', message, fields });
  }
  warn(fields: object, message: string): void {
    this.entries.push({ level: 'warn', message, fields });
  }
  error(fields: object, message: string): void {
    this.entries.push({ level: 'error', message, fields });
  }
}

/** A namespace of its own per test file: its topics and consumer groups are invisible to every other run. */
export function testNamespace(label: string): string {
  return `test-kafka-${label}-${randomBytes(4).toString('hex')}.`;
}

export function createBus(namespace: string, logger: KafkaLogger): KafkaBus {
  // The broker's minimum session timeout: a consumer that dies is replaced within seconds.
  return new KafkaBus({ brokers: kafkaBrokers(), clientId: 'kafka-test', namespace, sessionTimeoutMs: 6_000 }, logger);
}

/** Polls until `probe` returns a value other than undefined; a hang fails the test instead of stalling it. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(25);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** Removes the namespace's topics and consumer groups from the shared broker. */
export async function deleteNamespace(namespace: string): Promise<void> {
  const bus = createBus(namespace, new RecordingLogger());
  await bus.connect();
  try {
    await bus.deleteNamespace();
  } finally {
    await bus.close();
  }
}
