import { Readable } from 'node:stream';

import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

import { httpError, jsonCharsetRefusal } from '@poort/nest-kit';
import type { FastifyInstance, FastifyRequest, preParsingAsyncHookHandler } from 'fastify';

import { DEFAULT_STREAMED_LIMITS, readStreamedAanlevering, type OpenFileSink, type StreamedAanlevering, type StreamedAanleveringLimits } from './streamed-aanlevering.js';

/**
 * The HTTP side of the streamed aanleveren (streamed-aanlevering.ts): a REST aanleveren body from
 * INGRESS_STREAMED_BODY_FROM_BYTES on (or chunked) is set aside by a preParsing hook before Fastify's JSON parser
 * (strictJsonParser, unchanged) would hold it whole; the parser gets an empty object in its place, and the controller
 * reads the body as it arrives (StreamedAanleverBody.read), its files decoded into the payload store
 * (SubmissionService.submitStreamed). Smaller bodies take the buffered path, as before.
 */
const STREAMED_BODY = Symbol('streamedBody');
type WithStreamedBody = FastifyRequest & { [STREAMED_BODY]?: AsyncIterable<Uint8Array> };

/**
 * Whether a body is read streamed: by its Content-Length from `fromBytes` on. A chunked body is read whole, as before,
 * within INGRESS_MAX_BODY_BYTES: a sender of a large message says how large it is.
 */
export function readsStreamed(headers: FastifyRequest['headers'], fromBytes: number): boolean {
  const length = headers['content-length'];
  return length !== undefined && Number(length) >= fromBytes;
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

/** What StreamedAanleverBody is told by ingress's configuration. */
export interface StreamedBodySettings {
  /** INGRESS_STREAMED_BODY_FROM_BYTES */
  readonly fromBytes: number;
  /** INGRESS_MAX_BODY_BYTES */
  readonly maxBodyBytes: number;
  /** The largest file in a request (INGRESS_IN_BAND_MAX_BYTES): a larger one is refused as it passes the limit. */
  readonly maxFileBytes: number;
}

/**
 * Sets large aanleveren bodies aside (streamedBodyHook, on the route `path` only) and reads them for the controller.
 */
@Injectable()
export class StreamedAanleverBody implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly settings: StreamedBodySettings,
    private readonly path: string,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const hook = streamedBodyHook(this.settings.fromBytes);
    fastify.addHook('preParsing', async (request, reply, payload) => (request.method === 'POST' && request.routeOptions.url === this.path ? hook.call(fastify, request, reply, payload) : payload));
  }

  /** Whether the controller reads this request's body (read) rather than the body Fastify parsed. */
  isStreamed(request: FastifyRequest): boolean {
    return hasStreamedBody(request);
  }

  read(request: FastifyRequest, openSink: OpenFileSink): Promise<StreamedAanlevering> {
    return readStreamedBody(request, openSink, { ...DEFAULT_STREAMED_LIMITS, maxFileBytes: this.settings.maxFileBytes, maxBodyBytes: this.settings.maxBodyBytes });
  }
}
