import type { Readable } from 'node:stream';

import type { Envelope, PayloadRef } from '@poort/contracts';
import type { Recipient } from '@poort/message-types';

import { contentDisposition, headerText } from './header-encoding.js';

export type AttemptOutcome =
  | { readonly kind: 'delivered'; readonly httpStatus: number }
  /** The recipient refuses this message (4xx): retrying cannot help. */
  | { readonly kind: 'refused'; readonly httpStatus: number; readonly detail: string }
  /** Unreachable, timed out or failing (5xx, 408, 429): try again later. */
  | { readonly kind: 'failed'; readonly detail: string }
  /** Poort itself cannot make this delivery (its content is gone, its recipient no longer configured): no retry can help. */
  | { readonly kind: 'undeliverable'; readonly detail: string };

const RETRYABLE_CLIENT_STATUSES = new Set([408, 425, 429]);

/** The stable id of one message for one recipient: the same on every retry, so the recipient can drop repeats. */
export const deliveryMessageId = (kenmerk: string, recipientId: string): string => `${kenmerk}:${recipientId}`;

/**
 * Push delivery over HTTP: the content as the body, the envelope in headers. Values a sender chose travel safely
 * whatever their characters: the file name as RFC 6266/8187 filename and filename*, the aanleverkenmerk as is when
 * it is printable ASCII and as an RFC 8187 ext-value (UTF-8''…) otherwise.
 */
export async function pushToRecipient(recipient: Recipient, envelope: Envelope, payload: PayloadRef, body: Buffer | Readable): Promise<AttemptOutcome> {
  const messageId = deliveryMessageId(envelope.kenmerk, recipient.id);
  let response: Response;
  try {
    response = await fetch(recipient.endpoint, {
      method: 'POST',
      body: Buffer.isBuffer(body) ? body : (body as unknown as ReadableStream),
      duplex: 'half',
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
    } as RequestInit);
  } catch (error) {
    if (!Buffer.isBuffer(body)) body.destroy();
    return outcomeOfError(error);
  }
  const text = (await response.text().catch(() => '')).slice(0, 1_000);
  if (response.ok) return { kind: 'delivered', httpStatus: response.status };
  const detail = `HTTP ${response.status}${text ? `: ${text}` : ''}`;
  if (response.status >= 400 && response.status < 500 && !RETRYABLE_CLIENT_STATUSES.has(response.status)) {
    return { kind: 'refused', httpStatus: response.status, detail };
  }
  return { kind: 'failed', detail };
}

/**
 * A request that failed before any answer: the content missing from the payload store is Poort's problem that no
 * retry fixes; anything else (refused connection, reset, timeout, DNS) is worth trying again.
 */
function outcomeOfError(error: unknown): AttemptOutcome {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const causeCode = typeof cause?.code === 'string' ? cause.code : undefined;
  const detail = `${(error as Error).name}: ${(error as Error).message}${causeCode ? ` (${causeCode})` : ''}`;
  if (causeCode?.startsWith('PAYLOAD_')) return { kind: 'undeliverable', detail: `${detail}: ${String(cause?.message)}` };
  return { kind: 'failed', detail };
}
