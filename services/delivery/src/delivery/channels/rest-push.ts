import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';

import type { Envelope, PayloadRef } from '@poort/contracts';
import type { Recipient } from '@poort/message-types';

import { deliveryMessageId, type AttemptOutcome } from '../attempt-outcome.js';
import type { DeliveryAttempt, DeliveryChannel } from './delivery-channel.js';
import { contentDisposition, headerText } from './header-encoding.js';

const RETRYABLE_CLIENT_STATUSES = new Set([408, 425, 429]);

/** Connections to recipients are kept and reused between deliveries (one TLS handshake per connection, not per message). */
const AGENTS = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) } as const;
/** What a recipient's answer may say in a status detail. */
const MAX_DETAIL_CHARS = 1_000;

/**
 * Push delivery over HTTP: the content as the body, the envelope in headers. Values a sender chose travel safely
 * whatever their characters: the file name as RFC 6266/8187 filename and filename*, the aanleverkenmerk as is when
 * it is printable ASCII and as an RFC 8187 ext-value (UTF-8''…) otherwise. node:http rather than fetch: a delivery
 * is a plain request, and fetch's web streams cost several times its CPU.
 */
export async function pushToRecipient(recipient: Recipient, envelope: Envelope, payload: PayloadRef, body: Buffer | Readable): Promise<AttemptOutcome> {
  const first = await sendOnce(recipient, envelope, payload, body);
  // A kept-alive connection that the recipient closed just as it was reused fails before any answer: sent again at once
  // on a new connection (Node's remedy; the recipient drops a repeat by its message id), instead of waiting for a retry.
  if (first.staleConnection && Buffer.isBuffer(body)) return (await sendOnce(recipient, envelope, payload, body)).outcome;
  return first.outcome;
}

/** REST push: each message POSTed to the recipient's endpoint. */
export class RestPushChannel implements DeliveryChannel {
  readonly name = 'rest';

  deliver({ recipient, envelope, payload, content }: DeliveryAttempt): Promise<AttemptOutcome> {
    return pushToRecipient(recipient, envelope, payload, content);
  }
}

/** Errors of a reused connection that the other end had closed. */
const STALE_CONNECTION_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE']);

function sendOnce(
  recipient: Recipient,
  envelope: Envelope,
  payload: PayloadRef,
  body: Buffer | Readable,
): Promise<{ readonly outcome: AttemptOutcome; readonly staleConnection: boolean }> {
  const messageId = deliveryMessageId(envelope.kenmerk, recipient.id);
  const url = new URL(recipient.endpoint!);
  const agent = url.protocol === 'https:' ? AGENTS['https:'] : AGENTS['http:'];
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((settle) => {
    const resolve = (outcome: AttemptOutcome) => settle({ outcome, staleConnection: false });
    const request = send(
      url,
      {
        method: 'POST',
        agent,
        signal: AbortSignal.timeout(recipient.timeout),
        headers: {
          'content-type': payload.mimeType,
          'content-length': String(payload.size),
          'content-disposition': contentDisposition(payload.bestandsnaam),
          'idempotency-key': messageId,
          'x-poort-message-id': messageId,
          'x-poort-kenmerk': envelope.kenmerk,
          'x-poort-berichtsoort': envelope.berichtsoort,
          'x-poort-afzender-oin': envelope.sender.oin,
          'x-poort-tijdstempel-aangeleverd': envelope.tijdstempelAangeleverd,
          'x-poort-content-sha256': payload.sha256,
          ...(envelope.aanleverkenmerk ? { 'x-poort-aanleverkenmerk': headerText(envelope.aanleverkenmerk) } : {}),
        },
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
