import { Oin } from '@poort/contracts';
import { z } from 'zod';

import { Duration } from './duration.js';

export const TRANSFORMATIONS = ['none', 'ubl-invoice-to-json'] as const;
export type TransformationName = (typeof TRANSFORMATIONS)[number];

export const Recipient = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes'),
  name: z.string().min(1),
  oin: Oin,
  /** Push delivery: Poort POSTs each message here. */
  endpoint: z.url(),
  timeout: Duration.default(10_000),
});
export type Recipient = z.infer<typeof Recipient>;

export const RecipientsFile = z.object({ recipients: z.array(Recipient).min(1) });

export const Route = z.object({
  recipient: z.string().min(1),
  /** Which rendition this recipient wants: the content as submitted or the output of the transformation. */
  format: z.enum(['original', 'transformed']).default('original'),
  /** Only for messages addressed to this identiteitOntvanger (nummer); absent = every message of the type. */
  whenOntvanger: z.string().optional(),
});
export type Route = z.infer<typeof Route>;

export const MessageType = z.object({
  berichtsoort: z.string().min(1).max(80),
  description: z.string().min(1),
  content: z
    .object({
      mimeTypes: z.array(z.string().min(1)).min(1).default(['application/xml', 'text/xml']),
      maxBytes: z.number().int().positive().max(20_971_520).default(20_971_520),
    })
    .prefault({}),
  authorization: z.object({ allowedSenders: z.array(Oin).min(1) }),
  validation: z.object({
    /** XSD path relative to the configuration directory; it may import only files inside that directory. */
    schema: z.string().min(1),
    /** The document element the content must have, in Clark notation: {namespace}localName. */
    rootElement: z.string().regex(/^\{[^}]*\}[\w.-]+$/, 'Clark notation: {namespace}localName').optional(),
  }),
  transformation: z.enum(TRANSFORMATIONS).default('none'),
  routing: z.object({ routes: z.array(Route).min(1) }),
  delivery: z
    .object({
      retryWindow: Duration.default(72 * 3_600_000),
      initialBackoff: Duration.default(60_000),
      maxBackoff: Duration.default(3_600_000),
    })
    .prefault({}),
});
export type MessageType = z.infer<typeof MessageType>;
