import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Pool } from '@poort/message-state';
import type { TestPki } from '@poort/pki';
import type { ServiceName, TestRecipient } from '@poort/testing';
import { Agent, request } from 'undici';

import { SAMPLES } from './e2e-chain.js';
import { AANLEVER_PATH, RawSoapClient, aanleverRequest, editOnce, kenmerkOf, signerFrom, AANLEVEREN_ACTION } from './wus-hostile-requests.js';

/** The message type of the chaos runs: routed to two recipients, one of which keeps going down and up. */
export const CHAOS_TYPE = 'chaos';
export const CHAOS_RECIPIENTS = ['chaos', 'chaos-flap'] as const;

/**
 * A chain under load: an {@link E2eChain} on this machine, or one deployed elsewhere (in Kubernetes) whose database
 * and recipients the test can see.
 */
export interface ChaosTarget {
  readonly pki: TestPki;
  readonly db: Pool;
  recipient(id: string): TestRecipient;
  /** The base URLs of ingress, taken in turn (one per replica, or one Service). */
  ingressUrls(): readonly string[];
  /** The name ingress's TLS certificate is checked against, when its URLs name an address (e.g. a Service IP). */
  readonly ingressServername?: string;
}

/** What the load submits and where the outcome expects it: by default the chaos scenarios' own message type. */
export interface ChaosRoute {
  readonly berichtsoort: string;
  readonly recipients: readonly string[];
}

const CHAOS_ROUTE: ChaosRoute = { berichtsoort: CHAOS_TYPE, recipients: CHAOS_RECIPIENTS };

/** A steady stream of submissions, over REST and WUS, to every ingress replica in turn, resubmitting what fails. */
export class ChaosLoad {
  /** aanleverkenmerk → every kenmerk an answer gave for it (a resubmission must get the first one again). */
  readonly answers = new Map<string, string[]>();
  resubmissions = 0;
  /** Submissions that were never answered with a kenmerk, even after resubmitting for the whole patience. */
  readonly unanswered: string[] = [];
  private readonly agent: Agent;
  private readonly wus: RawSoapClient;
  private next = 0;

  constructor(
    private readonly target: ChaosTarget,
    readonly route: ChaosRoute = CHAOS_ROUTE,
  ) {
    const client = target.pki.clients['sender-a'];
    const servername = target.ingressServername ? { servername: target.ingressServername } : {};
    this.agent = new Agent({
      connect: { ca: readFileSync(target.pki.caChain), cert: readFileSync(client.cert), key: readFileSync(client.key), ...servername },
      keepAliveTimeout: 500,
      keepAliveMaxTimeout: 500,
    });
    this.wus = new RawSoapClient(target.pki, 'sender-a');
  }

  /** The kenmerken accepted (one per aanleverkenmerk when resubmission works). */
  kenmerken(): string[] {
    return [...new Set([...this.answers.values()].map((kenmerken) => kenmerken[0]!))];
  }

  /**
   * Submits `count` messages at `ratePerSecond`, every `wusEvery`-th over WUS; resolves when each is answered. With
   * `until`, it stops submitting once that returns true (count is then the most it submits).
   */
  async run(
    count: number,
    ratePerSecond: number,
    options: { wusEvery?: number; aanleverkenmerk?: (index: number) => string; until?: () => boolean } = {},
  ): Promise<void> {
    const pending: Promise<void>[] = [];
    for (let index = 0; index < count && !options.until?.(); index++) {
      const aanleverkenmerk = options.aanleverkenmerk?.(index) ?? `chaos-${randomBytes(6).toString('hex')}`;
      const overWus = options.wusEvery !== undefined && index % options.wusEvery === 0;
      pending.push(this.submitUntilAnswered(aanleverkenmerk, overWus));
      await sleep(1_000 / ratePerSecond);
    }
    await Promise.all(pending);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** Like a bulk client that times out: the same request again (same aanleverkenmerk) until it has a receipt. */
  private async submitUntilAnswered(aanleverkenmerk: string, overWus: boolean, patienceMs = 180_000): Promise<void> {
    const deadline = Date.now() + patienceMs;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      if (attempt > 0) this.resubmissions++;
      const urls = this.target.ingressUrls();
      const ingress = urls[this.next++ % urls.length]!;
      const kenmerk = await (overWus ? this.overWus(aanleverkenmerk, ingress) : this.overRest(aanleverkenmerk, ingress)).catch(() => undefined);
      if (kenmerk) {
        this.answers.set(aanleverkenmerk, [...(this.answers.get(aanleverkenmerk) ?? []), kenmerk]);
        // One resubmission more after an answer, now and then, as a client does that never saw it.
        if (attempt === 0 && this.answers.size % 25 === 0) {
          const again = await (overWus ? this.overWus(aanleverkenmerk, ingress) : this.overRest(aanleverkenmerk, ingress)).catch(() => undefined);
          if (again) this.answers.set(aanleverkenmerk, [...this.answers.get(aanleverkenmerk)!, again]);
        }
        return;
      }
      await sleep(Math.min(250 * 2 ** attempt, 3_000));
    }
    this.unanswered.push(aanleverkenmerk);
  }

  private async overRest(aanleverkenmerk: string, ingress: string): Promise<string | undefined> {
    const body = {
      berichtsoort: this.route.berichtsoort,
      aanleverkenmerk,
      identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
      rolBelanghebbende: 'Bedrijf',
      berichtInhoud: { mimeType: 'application/xml', bestandsnaam: 'factuur.xml', inhoud: SAMPLES.invoice.toString('base64') },
    };
    const response = await request(`${ingress}/api/v1/aanleveren`, {
      method: 'POST',
      dispatcher: this.agent,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    const answer = (await response.body.json()) as { kenmerk?: string };
    return response.statusCode === 200 ? answer.kenmerk : undefined;
  }

  private async overWus(aanleverkenmerk: string, ingress: string): Promise<string | undefined> {
    const url = `${ingress}${AANLEVER_PATH}`;
    const built = aanleverRequest({
      to: url,
      signer: signerFrom(this.target.pki, 'sender-a'),
      content: SAMPLES.invoice,
      aanleverkenmerk,
      beforeSigning: (xml) => editOnce(editOnce(xml, '<aan:berichtsoort>Omzetbelasting<', `<aan:berichtsoort>${this.route.berichtsoort}<`), 'omzetbelasting.xbrl', 'factuur.xml'),
    });
    const response = await this.wus.post(url, built.xml, { soapAction: AANLEVEREN_ACTION, timeoutMs: 10_000 });
    return response.status === 200 ? kenmerkOf(response.body) : undefined;
  }
}

/** What a chaos scenario ends with, for its summary line and its assertions. */
export interface ChaosOutcome {
  readonly accepted: number;
  readonly final: number;
  /** Accepted, but without a final status or not at every recipient. */
  readonly lost: readonly string[];
  /** Statuses recorded twice, deliveries stored twice, or one aanleverkenmerk with two kenmerken. */
  readonly duplicated: readonly string[];
  /** Histories that do not run 100, 110, 200, 301, 405, (420…), 400 in time order. */
  readonly outOfOrder: readonly string[];
  readonly notArchived: readonly string[];
  readonly openDeadLetters: number;
  readonly postsPerMessage: { readonly mean: number; readonly max: number };
  readonly resubmissions: number;
}

const HAPPY_PATH = ['100', '110', '200', '301', '405', '400'];

/**
 * Waits until every accepted message is done, delivered, and archived with all its statuses (or the patience runs
 * out), then checks every guarantee. The archive consumes the received and status events on its own, so it may
 * finish last: after a broker outage its consumers may still be in the client's reconnect back-off.
 */
export async function chaosOutcome(
  target: Pick<ChaosTarget, 'db' | 'recipient'>,
  load: ChaosLoad,
  options: { patienceMs?: number; exempt?: ReadonlySet<string> } = {},
): Promise<ChaosOutcome> {
  const { recipients } = load.route;
  const kenmerken = load.kenmerken();
  const deadline = Date.now() + (options.patienceMs ?? 180_000);
  while (Date.now() < deadline) {
    const { rows } = await target.db.query<{ done: number; archived: number }>(
      `SELECT count(*) FILTER (WHERE p.done)::int AS done,
              count(*) FILTER (WHERE EXISTS (SELECT 1 FROM archive_messages m WHERE m.kenmerk = p.kenmerk)
                                 AND (SELECT count(*) FROM archive_statuses a WHERE a.kenmerk = p.kenmerk)
                                   = (SELECT count(*) FROM status_history h WHERE h.kenmerk = p.kenmerk))::int AS archived
         FROM message_progress p WHERE p.kenmerk = ANY($1)`,
      [kenmerken],
    );
    const delivered = kenmerken.every((kenmerk) => recipients.every((id) => target.recipient(id).deliveries.has(`${kenmerk}:${id}`)));
    if (rows[0]!.done === kenmerken.length && rows[0]!.archived === kenmerken.length && delivered) break;
    await sleep(500);
  }
  const histories = await target.db.query<{ kenmerk: string; codes: string[]; finals: number; ids: number; distinct_ids: number }>(
    `SELECT kenmerk, array_agg(statuscode ORDER BY tijdstempel_status, seq) AS codes,
            count(*) FILTER (WHERE final OR statuscode = '400')::int AS finals, count(*)::int AS ids, count(DISTINCT status_id)::int AS distinct_ids
       FROM status_history WHERE kenmerk = ANY($1) GROUP BY kenmerk`,
    [kenmerken],
  );
  const byKenmerk = new Map(histories.rows.map((row) => [row.kenmerk, row]));
  const lost: string[] = [];
  const duplicated: string[] = [];
  const outOfOrder: string[] = [];
  let final = 0;
  for (const kenmerk of kenmerken) {
    const history = byKenmerk.get(kenmerk);
    const everywhere = recipients.every((id) => target.recipient(id).deliveries.has(`${kenmerk}:${id}`));
    if (!history || history.finals === 0 || !everywhere) {
      lost.push(kenmerk);
      continue;
    }
    final++;
    if (history.ids !== history.distinct_ids) duplicated.push(`${kenmerk}: a status recorded twice`);
    if (options.exempt?.has(kenmerk)) continue;
    if (history.finals !== 1) duplicated.push(`${kenmerk}: ${history.finals} final statuses (${history.codes.join(',')})`);
    const happy = history.codes.filter((code) => code !== '420');
    if (happy.join(',') !== HAPPY_PATH.join(',')) outOfOrder.push(`${kenmerk}: ${history.codes.join(',')}`);
  }
  for (const [aanleverkenmerk, answers] of load.answers) {
    if (new Set(answers).size > 1) duplicated.push(`${aanleverkenmerk}: answered with ${[...new Set(answers)].join(' and ')}`);
  }
  const archived = await target.db.query<{ kenmerk: string; statuses: number }>(
    `SELECT m.kenmerk, (SELECT count(*)::int FROM archive_statuses s WHERE s.kenmerk = m.kenmerk) AS statuses
       FROM archive_messages m WHERE m.kenmerk = ANY($1)`,
    [kenmerken],
  );
  const archivedStatuses = new Map(archived.rows.map((row) => [row.kenmerk, row.statuses]));
  const notArchived = kenmerken.filter((kenmerk) => archivedStatuses.get(kenmerk) !== byKenmerk.get(kenmerk)?.ids);
  const { rows: open } = await target.db.query<{ open: number }>('SELECT count(*)::int AS open FROM dead_letters WHERE redriven_at IS NULL');
  const posts = kenmerken.flatMap((kenmerk) => recipients.map((id) => target.recipient(id).postsByMessageId.get(`${kenmerk}:${id}`) ?? 0));
  return {
    accepted: kenmerken.length,
    final,
    lost,
    duplicated,
    outOfOrder,
    notArchived,
    openDeadLetters: open[0]!.open,
    postsPerMessage: { mean: posts.reduce((sum, count) => sum + count, 0) / Math.max(1, posts.length), max: Math.max(0, ...posts) },
    resubmissions: load.resubmissions,
  };
}

export function summaryLine(scenario: string, outcome: ChaosOutcome): string {
  return (
    `[chaos] ${scenario}: accepted ${outcome.accepted}, final ${outcome.final}, lost ${outcome.lost.length}, ` +
    `duplicated ${outcome.duplicated.length}, out of order ${outcome.outOfOrder.length}, not archived ${outcome.notArchived.length}, ` +
    `open dead letters ${outcome.openDeadLetters}, POSTs per delivered message ${outcome.postsPerMessage.mean.toFixed(2)} (max ${outcome.postsPerMessage.max}), ` +
    `resubmissions ${outcome.resubmissions}`
  );
}

/** Every service, in an order that changes per run: each gets its SIGKILL at a random moment of the load. */
export function shuffledServices(services: readonly ServiceName[]): ServiceName[] {
  return [...services].sort(() => Math.random() - 0.5);
}
