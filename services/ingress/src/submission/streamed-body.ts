import { isReadable } from 'node:stream';

import { httpError, jsonCharsetRefusal } from '@poort/nest-kit';
import type { FastifyRequest } from 'fastify';

import { readStreamedAanlevering, type OpenFileSink, type StreamedAanlevering, type StreamedAanleveringLimits } from './streamed-aanlevering.js';

/**
 * Whether a REST aanleveren body is read streamed (readStreamedBody) rather than parsed whole: when its
 * Content-Length is at least `fromBytes` (INGRESS_STREAMED_BODY_FROM_BYTES), and when it has none (chunked), as its
 * size is then unknown until it has been read.
 *
 * Not yet on the route. How the lead connects it (see also streamed-aanlevering.ts):
 * 1. A content-type parser for application/json on the aanleveren route only (Fastify's `addContentTypeParser` in an
 *    onRoute/plugin scope, as NdjsonBodyParser does for NDJSON) that calls `done(null, payload)` with the raw stream
 *    when readsStreamed(request.headers, …) and else the strict JSON parser (strictJsonParser) as now. The route's
 *    body limit (INGRESS_MAX_BODY_BYTES) must still hold for the stream: the reader's own caps bound memory, not bytes.
 * 2. The controller: when the body is a stream, `readStreamedBody(request, openSink, limits)` with a sink factory that
 *    stages each slot in the payload store (the Grote Berichten staging), limits.maxFileBytes the largest file any
 *    message type takes; then StreamedAanleverRequest.safeParse(document), the type's MIME types and per-file limits
 *    against `files` (bytes), and SubmissionWriter's write of a message whose content is staged. On any refusal after
 *    the reader returned, the staged files must be discarded (the reader aborts them only for its own failures).
 */
export function readsStreamed(headers: FastifyRequest['headers'], fromBytes: number): boolean {
  const length = headers['content-length'];
  if (length === undefined) return headers['transfer-encoding'] !== undefined;
  return Number(length) >= fromBytes;
}

/**
 * Reads a request's aanleveren body as a stream: the parser's stream if a content-type parser passed it on, else the
 * raw request. The body is held to `maxBodyBytes` (INGRESS_MAX_BODY_BYTES) as Fastify holds a buffered one: by its
 * Content-Length before anything is read, or with 413 where a chunked body passes it.
 */
export async function readStreamedBody(
  request: FastifyRequest,
  openSink: OpenFileSink,
  limits: StreamedAanleveringLimits & { readonly maxBodyBytes: number },
): Promise<StreamedAanlevering> {
  const refusal = jsonCharsetRefusal(request.headers['content-type']);
  if (refusal) throw refusal;
  if (Number(request.headers['content-length'] ?? 0) > limits.maxBodyBytes) throw bodyTooLarge(limits.maxBodyBytes);
  const body = isReadable(request.body as NodeJS.ReadableStream) ? (request.body as AsyncIterable<Uint8Array>) : request.raw;
  return readStreamedAanlevering(atMost(body, limits.maxBodyBytes), openSink, limits);
}

async function* atMost(body: AsyncIterable<Uint8Array>, maxBytes: number): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > maxBytes) throw bodyTooLarge(maxBytes);
    yield chunk;
  }
}

// The code and status Fastify's own body limit gives (FST_ERR_CTP_BODY_TOO_LARGE as rendered by HttpErrorFilter).
const bodyTooLarge = (maxBytes: number) => httpError(413, 'HTTP_413', `the body is larger than ${maxBytes} bytes`);
