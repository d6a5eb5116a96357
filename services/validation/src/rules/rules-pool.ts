import type { RuleFinding, RuleSet } from '@poort/standards';
import { Piscina } from 'piscina';

import { sizeLimitExceeded, type RulesLimitExceeded, type RulesLimits } from './rules-limits.js';
import type { RulesTask, RulesTaskResult } from './rules-worker.js';

/** What the business rules say about a document, over all the rule sets of its type. */
export type RulesVerdict =
  | { readonly kind: 'report'; readonly errors: readonly RuleFinding[]; readonly warnings: readonly RuleFinding[] }
  | { readonly kind: 'execution-error'; readonly ruleSet: string; readonly message: string }
  | { readonly kind: 'limit-exceeded'; readonly exceeded: RulesLimitExceeded };

export interface RulesPoolOptions {
  readonly threads: number;
  readonly limits: RulesLimits;
}

/**
 * Evaluates Schematron rule sets in a small pool of worker threads (piscina), so that a large invoice never blocks
 * the service's event loop. Each thread loads a rule set's SEF on first use and keeps it. At most `threads`
 * evaluations are handed to the pool at once, so a task's time limit runs from when a thread is free for it, not
 * while it waits behind others (it does include loading the SEF into a new thread, about a second). A task over its
 * time limit is aborted, which terminates its thread; piscina starts another.
 */
export class RulesPool {
  private readonly pool: Piscina<RulesTask, RulesTaskResult>;
  private readonly slots: Slots;

  constructor(private readonly options: RulesPoolOptions) {
    this.pool = new Piscina({
      filename: new URL('./rules-worker.js', import.meta.url).href,
      name: 'default',
      // Threads start with the first document that has rules: a service whose types have none never pays for them.
      minThreads: 0,
      maxThreads: options.threads,
      // Threads are kept: each holds the compiled rule sets it loaded.
      idleTimeout: Infinity,
    });
    this.slots = new Slots(options.threads);
  }

  /** Runs every rule set on the document (all of them, at once where threads are free) and joins their findings. */
  async evaluate(ruleSets: readonly RuleSet[], content: Uint8Array): Promise<RulesVerdict> {
    if (ruleSets.length === 0) return { kind: 'report', errors: [], warnings: [] };
    const tooLarge = sizeLimitExceeded(content.byteLength, this.options.limits);
    if (tooLarge) return { kind: 'limit-exceeded', exceeded: tooLarge };
    const results = await Promise.all(ruleSets.map((ruleSet) => this.run(ruleSet, content)));
    const failed = results.find((result) => result.kind !== 'report');
    if (failed) return failed;
    const reports = results as Extract<RulesVerdict, { kind: 'report' }>[];
    return { kind: 'report', errors: reports.flatMap((report) => report.errors), warnings: reports.flatMap((report) => report.warnings) };
  }

  private async run(ruleSet: RuleSet, content: Uint8Array): Promise<RulesVerdict> {
    const release = await this.slots.acquire();
    try {
      // A copy of its own (a Buffer may be a view into a shared pool), moved to the worker rather than cloned.
      const copy = new Uint8Array(content);
      const signal = AbortSignal.timeout(this.options.limits.timeLimitMs);
      const result = await this.pool.run({ ruleSet, content: copy }, { signal, transferList: [copy.buffer] });
      return result.kind === 'report' ? result : { kind: 'execution-error', ruleSet: ruleSet.name, message: result.message };
    } catch (error) {
      if (error instanceof Error && error.name === 'AbortError') {
        return { kind: 'limit-exceeded', exceeded: { limit: 'time', ruleSet: ruleSet.name, timeLimitMs: this.options.limits.timeLimitMs } };
      }
      throw error;
    } finally {
      release();
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }

  /** Nest: after the consumers stopped. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}

/** A counting semaphore, first come first served. */
class Slots {
  private readonly waiting: (() => void)[] = [];

  constructor(private free: number) {}

  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}
