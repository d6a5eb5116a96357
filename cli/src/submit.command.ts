import { dirname, join, resolve } from 'node:path';

import { checkRunName } from './aanleverkenmerk.js';
import { CliError } from './cli-error.js';
import { completeEnvelope, type Envelope } from './envelope.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { expandInputs } from './files.js';
import { toItems } from './hash-files.js';
import { Journal } from './journal.js';
import { planSubmission } from './plan.js';
import { PoortHttp } from './poort-http.js';
import { Progress } from './progress.js';
import { endpoint, readTls, type Settings } from './settings.js';
import { table } from './summary.js';
import type { TransportLimits, TransportMode, TransportName } from './transport-choice.js';
import { BulkTransport, BulkUnavailableError, DEFAULT_BULK_LIMITS } from './transports/bulk.js';
import { GroteBerichtenTransport } from './transports/grote-berichten.js';
import { SingleTransport } from './transports/single.js';
import type { ItemOutcome, SubmissionItem, Transport } from './transports/transport.js';

export const DEFAULT_JOURNAL = '.poort-journal.ndjson';

export interface SubmitOptions {
  readonly journal?: string;
  readonly run: string;
  readonly transport: TransportMode;
  readonly concurrency: number;
  readonly bulkSize: number;
  readonly limits: TransportLimits;
}

/** What poort says of a transport it does not offer, for each file that would need it (none today). */
const UNAVAILABLE: Readonly<Partial<Record<TransportName, { code: string; message: (limits: TransportLimits) => string }>>> = {};

/**
 * poort submit: every file named, each as its own message, skipping what the journal holds as acknowledged. Each
 * receipt goes into the journal the moment it arrives; Ctrl-C stops the run with what was acknowledged kept.
 */
export async function submitCommand(inputs: readonly string[], options: SubmitOptions, settings: Settings, cwd = process.cwd()): Promise<ExitCode> {
  const run = checkRunName(options.run);
  const journalFile = resolve(cwd, options.journal ?? join(cwd, DEFAULT_JOURNAL));
  const envelope = completeEnvelope(settings.envelope);
  const files = await expandInputs(inputs, cwd, new Set([journalFile]));
  const journal = Journal.open(journalFile);
  try {
    const items = await toItems(files, dirname(journalFile), run);
    const plan = planSubmission(items, (aanleverkenmerk) => journal.acknowledged(aanleverkenmerk) !== undefined, options.transport, options.limits);
    const refused: { item: SubmissionItem; code: string; message: string }[] = plan.unavailable.map(({ item, transport }) => ({
      item,
      code: UNAVAILABLE[transport]?.code ?? 'TRANSPORT_UNAVAILABLE',
      message: UNAVAILABLE[transport]?.message(options.limits) ?? `needs ${transport}, which this Poort does not offer`,
    }));
    if (plan.skipped.length > 0) console.log(`resuming: ${plan.skipped.length} of ${items.length} files already acknowledged (journal ${journalFile})`);
    const toSend = [...plan.send.values()].reduce((sum, list) => sum + list.length, 0);
    const how = [...plan.send].map(([name, list]) => `${list.length} ${name}`).join(', ');
    console.log(`submitting ${toSend} of ${items.length} files${how ? ` (${how})` : ''} as run ${run}, journal ${journalFile}`);

    let acknowledged = 0;
    const outcome = toSend === 0 ? 'done' : await send(plan.send, plan.skipped.length, envelope, options, settings, (item, result) => {
      if (result.kind === 'acknowledged') {
        journal.record({ path: item.path, sha256: item.sha256, aanleverkenmerk: item.aanleverkenmerk, kenmerk: result.kenmerk, at: new Date().toISOString() });
        acknowledged += 1;
      } else refused.push({ item, code: result.code, message: result.message });
    });

    console.log(`${acknowledged} acknowledged in this run, ${plan.skipped.length} before; ${refused.length} refused`);
    if (refused.length > 0) {
      console.log('');
      console.log(table(['file', 'code', 'message'], refused.map(({ item, code, message }) => [item.path, code, message.replace(/\s+/g, ' ').slice(0, 160)])));
    }
    if (outcome === 'interrupted') {
      console.error(`interrupted: what was acknowledged is in ${journalFile}; run the same command again to resume`);
      return EXIT.interrupted;
    }
    if (outcome instanceof CliError) {
      console.error(`poort: ${outcome.code}: ${outcome.message}`);
      console.error(`what was acknowledged is in ${journalFile}; run the same command again to resume`);
      return outcome.exitCode;
    }
    return refused.length > 0 ? EXIT.refused : EXIT.ok;
  } finally {
    journal.close();
  }
}

/** Sends the planned files with a progress bar; 'interrupted' on Ctrl-C or SIGTERM, a CliError when the run cannot go on. */
async function send(
  plan: ReadonlyMap<TransportName, readonly SubmissionItem[]>,
  skipped: number,
  envelope: Envelope,
  options: SubmitOptions,
  settings: Settings,
  report: (item: SubmissionItem, outcome: ItemOutcome) => void,
): Promise<'done' | 'interrupted' | CliError> {
  const ingress = endpoint(settings, 'ingress');
  const http = new PoortHttp(readTls(settings), options.concurrency);
  const total = [...plan.values()].reduce((sum, list) => sum + list.length, 0);
  const progress = new Progress(skipped + total, 'files', skipped);
  const controller = new AbortController();
  const interrupt = () => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    controller.abort();
    // In-flight requests end now; what they would have answered is answered again on resume (same aanleverkenmerk).
    http.close();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  const waiting = (why: string) => progress.waiting(why);
  const transports: Transport[] = [
    new BulkTransport({ http, ingress, envelope, concurrency: options.concurrency, waiting }, { ...DEFAULT_BULK_LIMITS, items: options.bulkSize }),
    new SingleTransport({ http, ingress, envelope, concurrency: options.concurrency, waiting }),
    // Large files one or two at a time: each is many requests of its own.
    new GroteBerichtenTransport({ http, ingress, envelope, concurrency: Math.min(2, options.concurrency), waiting }, options.limits.uploadChunkBytes),
  ];
  const reported = new Set<SubmissionItem>();
  const queued = new Map([...plan].map(([name, items]) => [name, [...items]]));
  progress.start();
  try {
    for (const transport of transports) {
      const items = queued.get(transport.name) ?? [];
      if (items.length === 0 || controller.signal.aborted) continue;
      try {
        await transport.submit(
          items,
          (item, outcome) => {
            reported.add(item);
            report(item, outcome);
            progress.increment();
          },
          controller.signal,
        );
      } catch (error) {
        if (!(error instanceof BulkUnavailableError)) throw error;
        // An older Poort without the bulk API: on auto the files go one by one; a forced bulk cannot be had.
        const rest = items.filter((item) => !reported.has(item));
        if (options.transport === 'bulk') {
          for (const item of rest) {
            report(item, { kind: 'refused', code: 'BULK_UNAVAILABLE', message: error.message });
            progress.increment();
          }
        } else {
          progress.waiting('no bulk API on this Poort: sending one by one');
          queued.set('single', [...rest, ...(queued.get('single') ?? [])]);
        }
      }
    }
    return controller.signal.aborted ? 'interrupted' : 'done';
  } catch (error) {
    if (controller.signal.aborted) return 'interrupted';
    if (error instanceof CliError) return error;
    throw error;
  } finally {
    progress.stop();
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    http.close();
  }
}

