import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import { refusalOf, type HttpAnswer, type WaitReason } from '../poort-http.js';
import { inPool } from './pool.js';
import { seconds, withSlash } from './single.js';
import type { ItemOutcome, SubmissionItem, Transport, TransportSetup } from './transport.js';

/** Bytes one PUT carries by default: small enough to finish well within Poort's request timeout, large enough to be quick. */
export const DEFAULT_UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024;

interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** What Poort says of an upload (docs/grote-berichten.md): announce and GET answer it, a PUT that does not complete it too. */
interface UploadState {
  readonly location: string;
  readonly status: 'open' | 'voltooid' | 'verlopen' | 'mislukt';
  readonly ontbrekend: readonly ByteRange[];
  readonly kenmerk?: string;
}

/**
 * Digikoppeling Grote Berichten (docs/grote-berichten.md): each file is announced with its size and SHA-256 under its
 * aanleverkenmerk, then PUT in ranges of `chunkBytes` read from disk as they go. Poort keeps what it received: the
 * announcement of a file sent before (a resumed run) answers with what is still missing, and only that is sent. The
 * PUT that completes the file is answered with the receipt. Every request is safe to repeat (ranges overwrite).
 */
export class GroteBerichtenTransport implements Transport {
  readonly name = 'grote-berichten' as const;

  constructor(
    private readonly setup: TransportSetup,
    private readonly chunkBytes = DEFAULT_UPLOAD_CHUNK_BYTES,
  ) {}

  async submit(items: readonly SubmissionItem[], report: (item: SubmissionItem, outcome: ItemOutcome) => void, signal: AbortSignal): Promise<void> {
    await inPool(items, this.setup.concurrency, async (item) => report(item, await this.upload(item, signal)), signal);
  }

  private async upload(item: SubmissionItem, signal: AbortSignal): Promise<ItemOutcome> {
    const uploads = new URL('api/v1/grote-berichten', withSlash(this.setup.ingress));
    const { mimeType, ...fields } = this.setup.envelope;
    const announcement = JSON.stringify({
      ...fields,
      aanleverkenmerk: item.aanleverkenmerk,
      bestand: { bestandsnaam: digikoppelingFilename(item.path), mimeType, grootte: item.size, sha256: item.sha256 },
    });
    const announced = await this.retrying(() => this.setup.http.send('POST', uploads, { 'content-type': 'application/json' }, announcement), signal);
    if (announced.status !== 200 && announced.status !== 201) return refused(announced);
    const state = JSON.parse(announced.body.toString('utf8')) as UploadState;
    if (state.status === 'voltooid' && state.kenmerk) return { kind: 'acknowledged', kenmerk: state.kenmerk };
    const location = new URL(state.location, uploads);

    const missing = state.ontbrekend.reduce((sum, range) => sum + range.end - range.start + 1, 0);
    let sent = 0;
    for (const gap of state.ontbrekend) {
      for (let start = gap.start; start <= gap.end; start += this.chunkBytes) {
        const end = Math.min(gap.end, start + this.chunkBytes - 1);
        const headers = { 'content-type': 'application/octet-stream', 'content-range': `bytes ${start}-${end}/${item.size}` };
        const answer = await this.retrying(() => this.setup.http.sendFileRange('PUT', location, headers, item.absolutePath, start, end), signal);
        if (answer.status === 201) return receiptOf(answer);
        if (answer.status !== 200) return refused(answer);
        sent += end - start + 1;
        this.setup.waiting(`${item.path}: ${Math.floor((100 * sent) / Math.max(1, missing))}% of ${mebibytes(missing)} uploaded`);
      }
    }
    // Every gap was sent and no PUT completed it (another run did, meanwhile): ask where it stands.
    const final = await this.retrying(() => this.setup.http.send('GET', location), signal);
    if (final.status !== 200) return refused(final);
    const after = JSON.parse(final.body.toString('utf8')) as UploadState;
    if (after.status === 'voltooid' && after.kenmerk) return { kind: 'acknowledged', kenmerk: after.kenmerk };
    return { kind: 'refused', code: 'GROTE_BERICHTEN_INCOMPLETE', message: `the upload is ${after.status} after every missing range was sent; run again to resume` };
  }

  private retrying(attempt: () => Promise<HttpAnswer>, signal: AbortSignal): Promise<HttpAnswer> {
    return this.setup.http.withRetries(attempt, (reason: WaitReason) => this.setup.waiting(describeWait(reason)), signal);
  }
}

/** Digikoppeling's filename (letters, digits, '.', '_', '-'), within the koppelvlak's 80 characters (the end kept). */
export function digikoppelingFilename(path: string): string {
  const name = (path.split('/').at(-1) ?? path).replace(/[^A-Za-z0-9._-]/g, '_');
  return name.length <= 80 ? name : name.slice(name.length - 80);
}

/** A 401 stops the run (no file gets through with this certificate); anything else refuses this file alone. */
function refused(answer: HttpAnswer): ItemOutcome {
  const refusal = refusalOf(answer);
  if (answer.status === 401) throw new CliError('CONNECTION_CERTIFICATE_REFUSED', EXIT.connection, `Poort does not accept this client certificate: ${refusal.code} ${refusal.message}`);
  return { kind: 'refused', ...refusal };
}

function receiptOf(answer: HttpAnswer): ItemOutcome {
  const kenmerk = (JSON.parse(answer.body.toString('utf8')) as { kenmerk?: unknown }).kenmerk;
  if (typeof kenmerk === 'string' && kenmerk !== '') return { kind: 'acknowledged', kenmerk };
  return { kind: 'refused', code: 'CLI_RECEIPT_WITHOUT_KENMERK', message: 'Poort completed the upload without a kenmerk' };
}

const describeWait = (reason: WaitReason) => (reason.kind === 'busy' ? `Poort is busy: waiting ${seconds(reason.ms)}` : `connection trouble (${reason.error}): retrying in ${seconds(reason.ms)}`);
const mebibytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
