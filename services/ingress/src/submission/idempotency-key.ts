import type { IncomingMessage } from 'node:http';

import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { FOUTCODE, Refusal } from '@poort/contracts';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** Printable ASCII (space to tilde), 1 to 255 characters: a key fits any header, log line and refusal text as is. */
const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;

const refuse = (message: string) => new Refusal(FOUTCODE.interfaceSpecificatie, 'invalid', message);

/**
 * The Idempotency-Key header of a REST submission: undefined without one; refused (ALS100) when it is not printable
 * ASCII of 1–255 characters, or when it comes twice: Node would join two into one valid-looking "a, b", and which of
 * the two the client meant is a guess Poort does not make.
 */
export function parseIdempotencyKey(values: readonly string[] | undefined): string | undefined {
  if (values === undefined) return undefined;
  if (values.length !== 1) throw refuse('de header Idempotency-Key komt meer dan eens voor');
  const [value] = values as [string];
  if (!IDEMPOTENCY_KEY.test(value)) throw refuse('de header Idempotency-Key moet 1 tot 255 afdrukbare ASCII-tekens bevatten');
  return value;
}

/** The checked Idempotency-Key of the request (see parseIdempotencyKey). */
export const IdempotencyKey = createParamDecorator((_: unknown, context: ExecutionContext): string | undefined =>
  parseIdempotencyKey(context.switchToHttp().getRequest<{ raw: IncomingMessage }>().raw.headersDistinct[IDEMPOTENCY_KEY_HEADER]),
);
