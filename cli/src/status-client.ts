import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';
import { refusalOf, type PoortHttp, type RefusalBody } from './poort-http.js';
import type { StatusResultaat } from './process-outcome.js';
import { withSlash } from './transports/single.js';

/** A process's statuses, none yet (404: unknown to this certificate, or its first status has not arrived), or a refusal. */
export type StatusAnswer = { readonly statuses: readonly StatusResultaat[] } | { readonly refusal: RefusalBody };

/** The status service's REST API (getStatussenProces): GET /api/v1/processen/{kenmerk}/statussen. */
export class StatusClient {
  constructor(
    private readonly http: PoortHttp,
    private readonly notification: URL,
    private readonly waiting: (why: string) => void = () => {},
  ) {}

  async statussen(kenmerk: string, signal?: AbortSignal): Promise<StatusAnswer> {
    const url = new URL(`api/v1/processen/${encodeURIComponent(kenmerk)}/statussen`, withSlash(this.notification));
    const answer = await this.http.withRetries(() => this.http.send('GET', url), (reason) => this.waiting(reason.kind === 'busy' ? 'the status service is busy' : `connection trouble (${reason.error})`), signal);
    if (answer.status === 200) return { statuses: JSON.parse(answer.body.toString('utf8')) as StatusResultaat[] };
    if (answer.status === 404) return { statuses: [] };
    if (answer.status === 401) {
      const refusal = refusalOf(answer);
      throw new CliError('CONNECTION_CERTIFICATE_REFUSED', EXIT.connection, `the status service does not accept this client certificate: ${refusal.code} ${refusal.message}`);
    }
    return { refusal: refusalOf(answer) };
  }
}
