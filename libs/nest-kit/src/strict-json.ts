import type { HttpException } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';

import { httpError } from './http-error.filter.js';

type Done = (error: Error | null, body?: unknown) => void;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON bodies as RFC 8259 has them: UTF-8, and nothing repaired. A body with invalid bytes (0xFF, overlong forms,
 * CESU-8 surrogates, a truncated sequence) is refused rather than decoded with replacement characters, so that what
 * a sender sent is stored exactly or not at all; another declared charset is refused too. The JSON itself is parsed
 * by Fastify's own parser (which refuses __proto__ and constructor poisoning).
 */
export function strictJsonParser(fastify: FastifyInstance): (request: FastifyRequest, body: Buffer, done: Done) => void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  return (request, body, done) => {
    const refusal = jsonCharsetRefusal(request.headers['content-type']);
    if (refusal) {
      done(refusal);
      return;
    }
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      done(httpError(400, 'HTTP_BODY_NOT_UTF8', 'the body is not valid UTF-8'));
      return;
    }
    parseJson(request, text, done);
  };
}

/** A JSON body declared in another charset than UTF-8 is refused (415); also for a route that reads its JSON streamed. */
export function jsonCharsetRefusal(contentType: string | undefined): HttpException | undefined {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset === undefined || charset === 'utf-8' || charset === 'utf8') return undefined;
  return httpError(415, 'HTTP_CHARSET_UNSUPPORTED', `JSON is accepted in UTF-8 only, not in ${charset}`);
}
