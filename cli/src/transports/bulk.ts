import { readFile } from 'node:fs/promises';

import { aanleverRequest } from '../envelope.js';
import { refusalOf } from '../poort-http.js';
import { backoffMs, sleep } from '../retry.js';
import { inPool } from './pool.js';
import { outcomeOf, seconds, withSlash } from './single.js';
import type { ItemOutcome, SubmissionItem, Transport, TransportSetup } from './transport.js';

/** Digipoort's "technical fault, try again later" foutcode: an item refused with it is sent again, not counted refused. */
const TRY_AGAIN = 'ALS400';

export interface BulkLimits {
  /** Items per bulk request. */
  readonly items: number;
  /** Bytes of content per bulk request (before base64), so a bulk is sent well within Poort's request timeout. */
  readonly bytes: number;
}

export const DEFAULT_BULK_LIMITS: BulkLimits = { items: 100, bytes: 16 * 1024 * 1024 };

/** One line of a bulk's answer (docs/bulk.md): an item's receipt or refusal, or the closing summary. */
type AnswerLine =
  | { readonly index: number; readonly kenmerk: string }
  | { readonly index: number; readonly fout: { readonly foutcode: string; readonly foutbeschrijving: string } }
  | { readonly samenvatting: { readonly afgebroken?: { readonly foutcode: string; readonly foutbeschrijving: string } } };

/**
 * Many small files per request: POST /api/v1/bulk, NDJSON both ways (docs/bulk.md). Files are read as the request
 * is written, and each item's answer is reported as it streams back. Items that get no line (the answer cut short by
 * a dropped connection, or the bulk cut off at a limit) and items Poort could not take now (ALS400) go again in a next
 * bulk: their aanleverkenmerk makes Poort answer an already stored one with its first kenmerk.
 */
export class BulkTransport implements Transport {
  readonly name = 'bulk' as const;

  constructor(
    private readonly setup: TransportSetup,
    private readonly limits: BulkLimits = DEFAULT_BULK_LIMITS,
  ) {}

  async submit(items: readonly SubmissionItem[], report: (item: SubmissionItem, outcome: ItemOutcome) => void, signal: AbortSignal): Promise<void> {
    await inPool(batches(items, this.limits), this.setup.concurrency, (batch) => this.submitBatch(batch, report, signal), signal);
  }

  private async submitBatch(batch: readonly SubmissionItem[], report: (item: SubmissionItem, outcome: ItemOutcome) => void, signal: AbortSignal): Promise<void> {
    const url = new URL('api/v1/bulk', withSlash(this.setup.ingress));
    let pending = [...batch];
    let round = 0;
    while (pending.length > 0 && !signal.aborted) {
      const tryAgain: SubmissionItem[] = [];
      const answered = new Set<SubmissionItem>();
      const answer = await this.setup.http.withRetries(
        () => {
          // A retried request sends only what the broken one did not get an answer for.
          const sent = pending.filter((item) => !answered.has(item));
          return this.setup.http.streamLines(url, { 'content-type': 'application/x-ndjson', accept: 'application/x-ndjson' }, this.lines(sent), (text) => {
            const line = parseAnswerLine(text);
            if (!line || !('index' in line)) return;
            const item = sent[line.index];
            if (!item || answered.has(item)) return;
            answered.add(item);
            if ('kenmerk' in line) report(item, { kind: 'acknowledged', kenmerk: line.kenmerk });
            else if (line.fout.foutcode === TRY_AGAIN) tryAgain.push(item);
            else report(item, { kind: 'refused', code: line.fout.foutcode, message: line.fout.foutbeschrijving });
          });
        },
        (reason) => this.setup.waiting(reason.kind === 'busy' ? `Poort is busy: waiting ${seconds(reason.ms)}` : `connection trouble (${reason.error}): retrying in ${seconds(reason.ms)}`),
        signal,
      );
      if (answer.status === 404 && answered.size === 0) throw new BulkUnavailableError();
      if (answer.status !== 200) {
        // The whole bulk refused (401 stops the run in outcomeOf; 413, 415: every item refused alike).
        const outcome = outcomeOf(answer);
        const refusal = outcome.kind === 'refused' ? outcome : { kind: 'refused' as const, ...refusalOf(answer) };
        for (const item of pending) if (!answered.has(item)) report(item, refusal);
        return;
      }
      pending = [...tryAgain, ...pending.filter((item) => !answered.has(item))];
      if (tryAgain.length > 0) {
        round += 1;
        const ms = backoffMs(round);
        this.setup.waiting(`Poort could not take ${tryAgain.length} items now (${TRY_AGAIN}): sending them again in ${seconds(ms)}`);
        await sleep(ms, signal);
      }
    }
  }

  private async *lines(items: readonly SubmissionItem[]): AsyncGenerator<string> {
    for (const item of items) yield `${JSON.stringify(aanleverRequest(this.setup.envelope, item, await readFile(item.absolutePath)))}\n`;
  }
}

/** This Poort has no bulk API (404 on POST /api/v1/bulk): an older one. Nothing of the bulk was stored. */
export class BulkUnavailableError extends Error {
  override readonly name = 'BulkUnavailableError';

  constructor() {
    super('this Poort has no bulk API (POST /api/v1/bulk answered 404)');
  }
}

/** Consecutive batches of at most `limits.items` items and `limits.bytes` bytes (a larger file alone in its batch). */
export function batches<T extends { readonly size: number }>(items: readonly T[], limits: BulkLimits): T[][] {
  const result: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length >= limits.items || bytes + item.size > limits.bytes)) {
      result.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.size;
  }
  if (current.length > 0) result.push(current);
  return result;
}

/** A line of the answer, or undefined for one poort does not understand (skipped: its item is sent again). */
export function parseAnswerLine(text: string): AnswerLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const line = value as Record<string, unknown>;
  if (typeof line.samenvatting === 'object' && line.samenvatting !== null) return line as AnswerLine;
  if (!Number.isInteger(line.index)) return undefined;
  if (typeof line.kenmerk === 'string' && line.kenmerk !== '') return { index: line.index as number, kenmerk: line.kenmerk };
  const fout = line.fout as Record<string, unknown> | undefined;
  if (fout && typeof fout.foutcode === 'string') {
    return { index: line.index as number, fout: { foutcode: fout.foutcode, foutbeschrijving: typeof fout.foutbeschrijving === 'string' ? fout.foutbeschrijving : '' } };
  }
  return undefined;
}
