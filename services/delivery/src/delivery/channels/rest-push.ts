import { createHash } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';

import type { Envelope, PayloadRef } from '@poort/contracts';
import type { Recipient } from '@poort/message-types';
import { loadRecipientCertificate, type RecipientCertificate } from '@poort/recipient-encryption';

import { deliveryMessageId, type AttemptOutcome } from '../attempt-outcome.js';
import type { DeliveryCredentials } from '../delivery-credentials.js';
import type { DeliveryAttempt, DeliveryChannel } from './delivery-channel.js';
import { contentDisposition, headerText } from './header-encoding.js';
import { packagedBody, type DeliveredFile } from './packaged-body.js';
import { recipientHttpsAgent } from './recipient-agent.js';
import { contentDigest, requestSigner, type RequestSigner } from './request-signature.js';

const RETRYABLE_CLIENT_STATUSES = new Set([408, 425, 429]);

/** What a recipient's answer may say in a status detail. */
const MAX_DETAIL_CHARS = 1_000;

/** How Poort reaches one recipient: its connections (kept alive and reused) and, when it wants them, signatures. */
interface RecipientLink {
  readonly agent: HttpAgent | HttpsAgent;
  readonly signer: RequestSigner | undefined;
  /** The recipient's certificate, when its profile wants what it receives encrypted. */
  readonly encryptTo: RecipientCertificate | undefined;
}

/**
 * REST push: each message POSTed to the recipient's endpoint, the content as the body, the envelope in headers.
 * Over https with two-way TLS: Poort's client certificate, the recipient's server certificate checked against
 * TLS_CA_FILE and, when its profile names its certificate, pinned to it. Signed (RFC 9421) unless its profile says
 * sign: false. Plain http stays possible for local simulators; production recipients use https.
 *
 * Values a sender chose travel safely whatever their characters: the file name as RFC 6266/8187 filename and
 * filename*, the aanleverkenmerk as is when it is printable ASCII and as an RFC 8187 ext-value (UTF-8''…) otherwise.
 * node:http rather than fetch: a delivery is a plain request, and fetch's web streams cost several times its CPU.
 */
export class RestPushChannel implements DeliveryChannel {
  readonly name = 'rest';
  private readonly links = new Map<string, RecipientLink>();
  private readonly signer: RequestSigner | undefined;

  /** Every REST recipient's link is made here, at start-up: one whose settings cannot serve refuses the start. */
  constructor(
    private readonly credentials: DeliveryCredentials,
    recipients: readonly Recipient[],
  ) {
    this.signer = credentials.signing ? requestSigner(credentials.signing) : undefined;
    for (const recipient of recipients) if (recipient.channel === 'rest') this.linkOf(recipient);
  }

  async deliver(attempt: DeliveryAttempt): Promise<AttemptOutcome> {
    const { recipient, envelope, payload } = attempt;
    let link: RecipientLink;
    try {
      link = this.linkOf(recipient);
    } catch (error) {
      return { kind: 'undeliverable', detail: `Poort cannot reach ${recipient.id}: ${(error as Error).message}` };
    }
    let body: Buffer | Readable = attempt.content;
    let bodyHeaders: Readonly<Record<string, string>> = {};
    if (link.encryptTo || attempt.attachments.length > 0) {
      try {
        const packaged = await packagedBody(await filesOf(attempt), link.encryptTo);
        body = packaged.body;
        bodyHeaders = packaged.headers;
      } catch (error) {
        return outcomeOfError(error);
      }
    }
    const first = await sendOnce(link, recipient, envelope, payload, body, bodyHeaders);
    // A kept-alive connection that the recipient closed just as it was reused fails before any answer: sent again at once
    // on a new connection (Node's remedy; the recipient drops a repeat by its message id), instead of waiting for a retry.
    if (first.staleConnection && Buffer.isBuffer(body)) return (await sendOnce(link, recipient, envelope, payload, body, bodyHeaders)).outcome;
    return first.outcome;
  }

  /** Keep-alive connections end with the process; closing them lets a test's recipient stop at once. */
  close(): void {
    for (const link of this.links.values()) link.agent.destroy();
  }

  private linkOf(recipient: Recipient): RecipientLink {
    const known = this.links.get(recipient.id);
    if (known) return known;
    const link: RecipientLink = {
      agent: new URL(recipient.endpoint!).protocol === 'https:' ? recipientHttpsAgent(recipient, this.credentials) : new HttpAgent({ keepAlive: true }),
      signer: recipient.sign ? this.signer : undefined,
      encryptTo: recipient.encrypt ? loadRecipientCertificate(this.credentials.pinnedCertificateOf(recipient)!) : undefined,
    };
    if (recipient.sign && !link.signer) throw new Error(`${recipient.id} wants signed deliveries and no signing key is configured`);
    this.links.set(recipient.id, link);
    return link;
  }
}

/** The content and the attachments that travel, whole in hand (to be encrypted or put into parts). */
async function filesOf({ payload, content, attachments, read }: DeliveryAttempt): Promise<DeliveredFile[]> {
  const inhoud = Buffer.isBuffer(content) ? content : (content.destroy(), await read(payload));
  const bijlagen = await Promise.all(attachments.map(async (ref) => ({ role: 'bijlage' as const, ref, bytes: await read(ref) })));
  return [{ role: 'inhoud', ref: payload, bytes: inhoud }, ...bijlagen];
}

/** Errors of a reused connection that the other end had closed. */
const STALE_CONNECTION_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE']);

async function sendOnce(
  link: RecipientLink,
  recipient: Recipient,
  envelope: Envelope,
  payload: PayloadRef,
  body: Buffer | Readable,
  bodyHeaders: Readonly<Record<string, string>>,
): Promise<{ readonly outcome: AttemptOutcome; readonly staleConnection: boolean }> {
  const messageId = deliveryMessageId(envelope.kenmerk, recipient.id);
  const url = new URL(recipient.endpoint!);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const unsigned: Record<string, string> = {
    'content-type': payload.mimeType,
    'content-length': String(Buffer.isBuffer(body) ? body.byteLength : payload.size),
    'content-disposition': contentDisposition(payload.bestandsnaam),
    'idempotency-key': messageId,
    'x-poort-message-id': messageId,
    'x-poort-kenmerk': envelope.kenmerk,
    'x-poort-berichtsoort': envelope.berichtsoort,
    'x-poort-afzender-oin': envelope.sender.oin,
    'x-poort-tijdstempel-aangeleverd': envelope.tijdstempelAangeleverd,
    'x-poort-content-sha256': payload.sha256,
    ...(envelope.aanleverkenmerk ? { 'x-poort-aanleverkenmerk': headerText(envelope.aanleverkenmerk) } : {}),
    ...bodyHeaders,
  };
  let headers = unsigned;
  if (link.signer) {
    // A body in hand is hashed as sent; a streamed one is the payload store's bytes, whose SHA-256 was taken of those
    // very bytes when they were stored (a stored payload that no longer matches fails the recipient's digest check).
    const sha256 = Buffer.isBuffer(body) ? createHash('sha256').update(body).digest() : Buffer.from(payload.sha256, 'hex');
    try {
      headers = await link.signer.sign({ method: 'POST', url, headers: { ...unsigned, 'content-digest': contentDigest(sha256) } });
    } catch (error) {
      if (!Buffer.isBuffer(body)) body.destroy();
      return { outcome: { kind: 'failed', detail: `signing the delivery failed: ${(error as Error).message}` }, staleConnection: false };
    }
  }
  return new Promise((settle) => {
    const resolve = (outcome: AttemptOutcome) => settle({ outcome, staleConnection: false });
    const request = send(
      url,
      {
        method: 'POST',
        agent: link.agent,
        signal: AbortSignal.timeout(recipient.timeout),
        headers,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        // Read to the end whatever its length (the connection is reused), keeping what a detail may show.
        response.on('data', (piece: string) => {
          if (text.length < MAX_DETAIL_CHARS) text += piece;
        });
        response.on('error', (error) => resolve(outcomeOfError(error)));
        response.on('end', () => resolve(outcomeOfAnswer(response.statusCode ?? 0, text.slice(0, MAX_DETAIL_CHARS))));
        // Closed before its end (after 'end' this changes nothing: the outcome is settled).
        response.on('close', () => resolve({ kind: 'failed', detail: `the answer of ${recipient.id} broke off (HTTP ${response.statusCode ?? '?'})` }));
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (!Buffer.isBuffer(body)) body.destroy();
      settle({ outcome: outcomeOfError(error), staleConnection: request.reusedSocket && STALE_CONNECTION_CODES.has(error.code ?? '') });
    });
    if (Buffer.isBuffer(body)) {
      request.end(body);
    } else {
      body.on('error', (error) => request.destroy(error));
      body.pipe(request);
    }
  });
}

function outcomeOfAnswer(status: number, text: string): AttemptOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered', httpStatus: status };
  const detail = `HTTP ${status}${text ? `: ${text}` : ''}`;
  if (status >= 400 && status < 500 && !RETRYABLE_CLIENT_STATUSES.has(status)) return { kind: 'refused', httpStatus: status, detail };
  return { kind: 'failed', detail };
}

/**
 * A request that failed before any answer: the content missing from the payload store is Poort's problem that no
 * retry fixes; anything else (refused connection, reset, timeout, DNS) is worth trying again.
 */
function outcomeOfError(error: unknown): AttemptOutcome {
  const failure = error as { name?: string; message?: string; code?: unknown; cause?: { code?: unknown } };
  const code = typeof failure.code === 'string' ? failure.code : typeof failure.cause?.code === 'string' ? failure.cause.code : undefined;
  const detail = `${failure.name ?? 'Error'}: ${failure.message ?? String(error)}${code ? ` (${code})` : ''}`;
  if (code?.startsWith('PAYLOAD_')) return { kind: 'undeliverable', detail };
  return { kind: 'failed', detail };
}
