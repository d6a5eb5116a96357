import { resolve } from 'node:path';

import { usageError } from './cli-error.js';
import { EXIT, worstExit, type ExitCode } from './exit-codes.js';
import { Journal } from './journal.js';
import { PoortHttp } from './poort-http.js';
import { processOutcome, type ProcessOutcome } from './process-outcome.js';
import { Progress } from './progress.js';
import { sleep } from './retry.js';
import { endpoint, readTls, type Settings } from './settings.js';
import { StatusClient } from './status-client.js';
import { renderSummary, summarize, type FollowedProcess } from './summary.js';
import { inPool } from './transports/pool.js';

export interface FollowOptions {
  readonly journal?: string;
  readonly intervalMs: number;
  /** Give up waiting after this long (exit 6); undefined: wait as long as it takes. */
  readonly timeoutMs?: number;
  readonly concurrency: number;
}

/**
 * poort follow: polls the status service until every process has ended (delivered, or a final status), with a
 * progress bar, then prints a summary: how many ended in each status, and each failure with its foutcode.
 */
export async function followCommand(kenmerken: readonly string[], options: FollowOptions, settings: Settings, cwd = process.cwd()): Promise<ExitCode> {
  const processes = new Map<string, { kenmerk: string; path?: string; outcome: ProcessOutcome }>();
  for (const kenmerk of kenmerken) processes.set(kenmerk, { kenmerk, outcome: { kind: 'pending' } });
  if (options.journal !== undefined) {
    const journal = Journal.open(resolve(cwd, options.journal));
    for (const entry of journal.entries) processes.set(entry.kenmerk, { kenmerk: entry.kenmerk, path: entry.path, outcome: { kind: 'pending' } });
  }
  if (processes.size === 0) throw usageError('USAGE_NOTHING_TO_FOLLOW', 'name kenmerken, or a journal with acknowledged files (--journal)');

  const http = new PoortHttp(readTls(settings), options.concurrency);
  const progress = new Progress(processes.size, 'ended');
  const client = new StatusClient(http, endpoint(settings, 'notification'), (why) => progress.waiting(why));
  const controller = new AbortController();
  const interrupt = () => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  let refusedKenmerken = 0;
  progress.start();
  try {
    for (;;) {
      const pending = [...processes.values()].filter((process) => process.outcome.kind === 'pending');
      await inPool(
        pending,
        options.concurrency,
        async (process) => {
          const answer = await client.statussen(process.kenmerk, controller.signal);
          if ('refusal' in answer) {
            // A kenmerk the status service refuses (not one): it will not end; shown as a failure.
            refusedKenmerken += 1;
            process.outcome = { kind: 'ended', failed: true, status: { kenmerk: process.kenmerk, statuscode: answer.refusal.code, statusomschrijving: 'refused by the status service', tijdstempelStatus: new Date().toISOString(), statusFoutcode: { foutcode: answer.refusal.code, foutbeschrijving: answer.refusal.message } } };
            progress.increment();
            return;
          }
          process.outcome = processOutcome(answer.statuses);
          if (process.outcome.kind === 'ended') progress.increment();
        },
        controller.signal,
      );
      if (controller.signal.aborted) break;
      if (![...processes.values()].some((process) => process.outcome.kind === 'pending')) break;
      if (Date.now() >= deadline) break;
      progress.waiting(`${[...processes.values()].filter((process) => process.outcome.kind === 'pending').length} still going`);
      await sleep(Math.min(options.intervalMs, Math.max(0, deadline - Date.now())), controller.signal);
    }
  } finally {
    progress.stop();
    process.off('SIGINT', interrupt);
    http.close();
  }
  const summary = summarize([...processes.values()] as FollowedProcess[]);
  console.log(renderSummary(summary));
  if (refusedKenmerken > 0) console.log(`\n${refusedKenmerken} kenmerken were refused by the status service`);
  if (controller.signal.aborted) return EXIT.interrupted;
  return worstExit([summary.failures.length > 0 ? EXIT.failed : EXIT.ok, summary.pending.length > 0 ? EXIT.timeout : EXIT.ok]);
}
