import { AsyncLocalStorage } from 'node:async_hooks';

/** Fields that every log line written while handling one message carries, without passing them around. */
export interface LogContext {
  readonly kenmerk?: string;
  readonly stage?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

export function withLogContext<T>(context: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...context }, fn);
}

export function currentLogContext(): LogContext {
  return storage.getStore() ?? {};
}
