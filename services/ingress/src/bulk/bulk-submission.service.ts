import { randomUUID } from 'node:crypto';

import { FOUTCODE, Refusal } from '@poort/contracts';
import type { ClientIdentity } from '@poort/pki';

import type { SubmissionService } from '../submission/submission.service.js';
import type { BulkAnswerLine, BulkItemAnswer, Fout } from './bulk-answers.js';
import type { BulksRepository } from './bulks.repository.js';
import { ndjsonLines, type NdjsonEntry } from './ndjson-lines.js';

export interface BulkLimits {
  readonly maxItems: number;
  readonly maxLineBytes: number;
  readonly maxTotalBytes: number;
  /** Items being stored at once: they share the SubmissionWriter's transactions. */
  readonly concurrency: number;
}

/** A refusal's text stays short in the answer and in bulk_items, whatever the refusal said. */
const MAX_FOUTBESCHRIJVING = 1_000;

/** The bulk's id, known before its first item is read (for the Location header), and its answer lines in input order. */
export interface BulkRun {
  readonly bulkId: string;
  readonly answers: AsyncGenerator<BulkAnswerLine>;
}

/** Something that went wrong with an item that is not a refusal (a bug, the database gone): logged, answered ALS400. */
export type ItemFailureLog = (failure: { bulkId: string; index: number; error: unknown }) => void;

/**
 * Bulk aanleveren: a stream of single submissions, each through SubmissionService.submit, the one use case behind
 * every channel (so the same checks, the same coded refusals, the same idempotency per sender and aanleverkenmerk,
 * and the same group-committed writes). Up to `concurrency` items are in hand at once, so that their writes share
 * transactions; their answers come out in input order. An item's answer is recorded in bulk_items before it is
 * given: what a sender was told, the bulk status shows. A line that is not an item (too long, not UTF-8, not JSON)
 * refuses only itself; a limit on items or bytes ends the bulk with the reason in its summary.
 */
export class BulkSubmissionService {
  constructor(
    private readonly submissions: SubmissionService,
    private readonly bulks: BulksRepository,
    private readonly limits: BulkLimits,
    private readonly logFailure: ItemFailureLog,
  ) {}

  /** Opens the bulk (so that it exists once the answer names it) and reads `body` as the answers are taken. */
  async start(sender: ClientIdentity, body: AsyncIterable<Uint8Array>): Promise<BulkRun> {
    const bulkId = randomUUID();
    // A sweep that fails is done by a later bulk; this one goes on.
    await this.bulks.forgetExpired().catch(() => undefined);
    await this.bulks.open(bulkId, sender.oin, new Date());
    return { bulkId, answers: this.run(bulkId, sender, body) };
  }

  private async *run(bulkId: string, sender: ClientIdentity, body: AsyncIterable<Uint8Array>): AsyncGenerator<BulkAnswerLine> {
    const counts = { geaccepteerd: 0, geweigerd: 0 };
    const inHand: Pending[] = [];
    let afgebroken: Fout | undefined;
    let index = 0;
    const answered = async function* (this: BulkSubmissionService, atLeast: number): AsyncGenerator<BulkItemAnswer> {
      for (const answer of await this.settle(bulkId, inHand, atLeast)) {
        counts[answer.kind === 'accepted' ? 'geaccepteerd' : 'geweigerd']++;
        yield answer.line;
      }
    }.bind(this);

    try {
      for await (const entry of ndjsonLines(body, this.limits)) {
        if (entry.kind === 'over-total') {
          afgebroken = cut(`de bulk is groter dan ${entry.limit} bytes; wat volgde is niet gelezen`);
          break;
        }
        if (index === this.limits.maxItems) {
          afgebroken = cut(`de bulk heeft meer dan ${this.limits.maxItems} items; vanaf item ${index} is niets gelezen`);
          break;
        }
        inHand.push(pending(this.item(bulkId, sender, index++, entry)));
        if (inHand.length >= this.limits.concurrency) yield* answered(1);
      }
    } finally {
      // Also when the client went away: what is in hand is stored anyway, so it is recorded too.
      while (inHand.length > 0) yield* answered(inHand.length);
    }
    await this.bulks.complete(bulkId, afgebroken);
    yield { samenvatting: { bulkId, ...counts, ...(afgebroken ? { afgebroken } : {}) } };
  }

  /**
   * Waits for the first `atLeast` items in hand, takes every item after them that is done too, records their answers
   * in one statement, and returns them in order.
   */
  private async settle(bulkId: string, inHand: Pending[], atLeast: number): Promise<ItemOutcome[]> {
    const outcomes: ItemOutcome[] = [];
    while (inHand.length > 0 && (outcomes.length < atLeast || inHand[0]!.done)) outcomes.push(await inHand.shift()!.outcome);
    await this.bulks.record(
      bulkId,
      outcomes.map((outcome) => outcome.line),
    );
    return outcomes;
  }

  private async item(bulkId: string, sender: ClientIdentity, index: number, entry: Exclude<NdjsonEntry, { kind: 'over-total' }>): Promise<ItemOutcome> {
    if (entry.kind === 'too-long') return refused(index, undefined, invalid(`de regel is langer dan ${this.limits.maxLineBytes} bytes (${entry.bytes})`));
    if (entry.kind === 'not-utf8') return refused(index, undefined, invalid('de regel is geen geldige UTF-8'));
    let request: unknown;
    try {
      request = JSON.parse(entry.text);
    } catch (error) {
      return refused(index, undefined, invalid(`de regel is geen JSON: ${(error as Error).message}`));
    }
    const aanleverkenmerk = aanleverkenmerkOf(request);
    try {
      const receipt = await this.submissions.submit(sender, request);
      return { kind: 'accepted', line: { index, ...(aanleverkenmerk ? { aanleverkenmerk } : {}), kenmerk: receipt.kenmerk } };
    } catch (error) {
      if (error instanceof Refusal) return refused(index, aanleverkenmerk, { foutcode: error.code, foutbeschrijving: error.message });
      this.logFailure({ bulkId, index, error });
      return refused(index, aanleverkenmerk, { foutcode: FOUTCODE.technischeFoutAanleveren, foutbeschrijving: 'technische fout bij het aanleveren; lever het item opnieuw aan' });
    }
  }
}

type ItemOutcome = { readonly kind: 'accepted'; readonly line: BulkItemAnswer } | { readonly kind: 'refused'; readonly line: BulkItemAnswer };

interface Pending {
  readonly outcome: Promise<ItemOutcome>;
  done: boolean;
}

function pending(outcome: Promise<ItemOutcome>): Pending {
  const entry: Pending = { outcome, done: false };
  void outcome.then(() => (entry.done = true));
  return entry;
}

const invalid = (foutbeschrijving: string): Fout => ({ foutcode: FOUTCODE.interfaceSpecificatie, foutbeschrijving });
const cut = invalid;

function refused(index: number, aanleverkenmerk: string | undefined, fout: Fout): ItemOutcome {
  return {
    kind: 'refused',
    line: { index, ...(aanleverkenmerk ? { aanleverkenmerk } : {}), fout: { foutcode: fout.foutcode, foutbeschrijving: fout.foutbeschrijving.slice(0, MAX_FOUTBESCHRIJVING) } },
  };
}

/** The item's aanleverkenmerk as the answer repeats it: only when it is one (a string of at most 40 characters). */
function aanleverkenmerkOf(request: unknown): string | undefined {
  if (request === null || typeof request !== 'object') return undefined;
  const value = (request as { aanleverkenmerk?: unknown }).aanleverkenmerk;
  return typeof value === 'string' && value.length > 0 && value.length <= 40 ? value : undefined;
}
