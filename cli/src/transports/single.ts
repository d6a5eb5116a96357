import { readFile } from 'node:fs/promises';

import { CliError } from '../cli-error.js';
import { aanleverRequest } from '../envelope.js';
import { EXIT } from '../exit-codes.js';
import { refusalOf } from '../poort-http.js';
import { inPool } from './pool.js';
import type { ItemOutcome, SubmissionItem, Transport, TransportSetup } from './transport.js';

/** One aanleveren request per file (POST /api/v1/aanleveren), `concurrency` at a time. */
export class SingleTransport implements Transport {
  readonly name = 'single' as const;

  constructor(
    private readonly setup: TransportSetup,
  ) {}

  async submit(items: readonly SubmissionItem[], report: (item: SubmissionItem, outcome: ItemOutcome) => void, signal: AbortSignal): Promise<void> {
    const url = new URL('api/v1/aanleveren', withSlash(this.setup.ingress));
    await inPool(
      items,
      this.setup.concurrency,
      async (item) => {
        const body = JSON.stringify(aanleverRequest(this.setup.envelope, item, await readFile(item.absolutePath)));
        const answer = await this.setup.http.withRetries(
          () => this.setup.http.send('POST', url, { 'content-type': 'application/json' }, body),
          (reason) => this.setup.waiting(reason.kind === 'busy' ? `Poort is busy: waiting ${seconds(reason.ms)}` : `connection trouble (${reason.error}): retrying in ${seconds(reason.ms)}`),
          signal,
        );
        // An answer that came is reported even when interrupted: a receipt belongs in the journal.
        report(item, outcomeOf(answer));
      },
      signal,
    );
  }
}

/** A receipt (200 with a kenmerk) or a refusal; a 401 stops the run: no file will get through with this certificate. */
export function outcomeOf(answer: { status: number; body: Buffer }): ItemOutcome {
  if (answer.status === 401) {
    const refusal = refusalOf(answer);
    throw new CliError('CONNECTION_CERTIFICATE_REFUSED', EXIT.connection, `Poort does not accept this client certificate: ${refusal.code} ${refusal.message}`);
  }
  if (answer.status === 200) {
    const kenmerk = (JSON.parse(answer.body.toString('utf8')) as { kenmerk?: unknown }).kenmerk;
    if (typeof kenmerk === 'string' && kenmerk !== '') return { kind: 'acknowledged', kenmerk };
    return { kind: 'refused', code: 'CLI_RECEIPT_WITHOUT_KENMERK', message: 'Poort answered 200 without a kenmerk' };
  }
  return { kind: 'refused', ...refusalOf(answer) };
}

export const withSlash = (url: URL) => (url.href.endsWith('/') ? url : new URL(`${url.href}/`));
export const seconds = (ms: number) => `${Math.max(1, Math.round(ms / 1000))} s`;
