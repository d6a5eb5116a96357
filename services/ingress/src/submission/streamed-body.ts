import { Readable } from 'node:stream';

import { httpError, jsonCharsetRefusal } from '@poort/nest-kit';
import type { FastifyRequest, preParsingAsyncHookHandler } from 'fastify';

import { readStreamedAanlevering, type OpenFileSink, type StreamedAanlevering, type StreamedAanleveringLimits } from './streamed-aanlevering.js';

/**
 * The HTTP side of the streamed aanleveren (streamed-aanlevering.ts). Not yet on the route; how the lead connects it:
 *
 * 1. The aanleveren route gets `streamedBodyHook(config.INGRESS_STREAMED_BODY_FROM_BYTES)` as its preParsing hook
 *    (an onRoute hook that adds it to POST /api/v1/aanleveren, or a route config flag the hook checks). A body from
 *    that size (or chunked) is then set aside for the controller, and Fastify's JSON parser (strictJsonParser, global,
 *    unchanged) parses an empty object in its place; smaller bodies are parsed whole as now. Fastify still refuses a
 *    Content-Length above the route's limit (INGRESS_MAX_BODY_BYTES) with 413 before anything is read.
 * 2. The controller takes `@Req()`: when `hasStreamedBody(request)`, it calls a SubmissionService method (not `submit`)
 *    that runs `readStreamedBody(request, openSink, limits)` with a sink factory that stages each file in the payload
 *    store (the Grote Berichten staging), limits.maxFileBytes the largest file any message type takes and
 *    limits.maxBodyBytes INGRESS_MAX_BODY_BYTES; then StreamedAanleverRequest.safeParse(document), the message type's
 *    MIME types and per-file limits against `files`, and SubmissionWriter's write of a message whose content is
 *    staged. A refusal after the reader returned must discard the staged files (the reader aborts them only for its
 *    own failures). The admission (SubmissionAdmission.admit) comes before the body is read, as for `submit`.
 * 3. A 50 MiB upload must fit in HTTP_REQUEST_TIMEOUT_MS, as any body must.
 */

const STREAMED_BODY = Symbol('streamedBody');
type WithStreamedBody = FastifyRequest & { [STREAMED_BODY]?: AsyncIterable<Uint8Array> };

/** Whether a body is read streamed: by its Content-Length from `fromBytes` on, and always without one (chunked). */
export function readsStreamed(headers: FastifyRequest['headers'], fromBytes: number): boolean {
  const length = headers['content-length'];
  if (length === undefined) return headers['transfer-encoding'] !== undefined;
  return Number(length) >= fromBytes;
}

/**
 * A preParsing hook that sets a large JSON body aside as its stream (for readStreamedBody) and gives Fastify's parser
 * `{}` instead, so that the global JSON parser stays as it is and small bodies keep the buffered path.
 */
export function streamedBodyHook(fromBytes: number): preParsingAsyncHookHandler {
  return async (request, _reply, payload) => {
    if (!readsStreamed(request.headers, fromBytes)) return payload;
    (request as WithStreamedBody)[STREAMED_BODY] = payload;
    const standIn = Readable.from([Buffer.from('{}')]) as Readable & { receivedEncodedLength?: number };
    // What Fastify compares with Content-Length, as for a decompressed body (the real body is checked as it is read).
    const declared = request.headers['content-length'];
    if (declared !== undefined) standIn.receivedEncodedLength = Number(declared);
    return standIn;
  };
}

export const hasStreamedBody = (request: FastifyRequest): boolean => (request as WithStreamedBody)[STREAMED_BODY] !== undefined;

/**
 * Reads a request's aanleveren body as a stream: the one streamedBodyHook set aside, else the raw request. The body is
 * held to `maxBodyBytes` (INGRESS_MAX_BODY_BYTES) as Fastify holds a buffered one: by its Content-Length before
 * anything is read, or with 413 where a chunked body passes it.
 */
export async function readStreamedBody(
  request: FastifyRequest,
  openSink: OpenFileSink,
  limits: StreamedAanleveringLimits & { readonly maxBodyBytes: number },
): Promise<StreamedAanlevering> {
  const refusal = jsonCharsetRefusal(request.headers['content-type']);
  if (refusal) throw refusal;
  if (Number(request.headers['content-length'] ?? 0) > limits.maxBodyBytes) throw bodyTooLarge(limits.maxBodyBytes);
  const body = (request as WithStreamedBody)[STREAMED_BODY] ?? request.raw;
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
