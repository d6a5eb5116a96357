import { z } from 'zod';

/** OIN: the 20-digit organisation identity number carried in PKIoverheid certificates (domain.md 3.4). */
export const Oin = z.string().regex(/^\d{20}$/, 'an OIN is 20 digits');

export const Identiteit = z.object({
  nummer: z.string().min(1).max(35),
  type: z.string().min(1).max(20),
});
export type Identiteit = z.infer<typeof Identiteit>;

/** A claim check: the payload lives in the payload store, Kafka carries only this reference. */
export const PayloadRef = z.object({
  id: z.uuid(),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  mimeType: z.string().min(1).max(255),
  bestandsnaam: z.string().min(1).max(80),
});
export type PayloadRef = z.infer<typeof PayloadRef>;

export const Sender = z.object({
  oin: Oin,
  certificateFingerprint: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Sender = z.infer<typeof Sender>;

/** W3C trace context, carried so a trace follows a message across Kafka hops. */
export const TraceContext = z.record(z.string(), z.string());

/** What every stage knows about a message: the digital envelope, never the content itself. */
export const Envelope = z.object({
  kenmerk: z.string().min(1).max(40),
  berichtsoort: z.string().min(1).max(80),
  aanleverkenmerk: z.string().max(40).optional(),
  eerderAanleverkenmerk: z.string().max(40).optional(),
  sender: Sender,
  identiteitBelanghebbende: Identiteit,
  rolBelanghebbende: z.string().min(1).max(40),
  identiteitOntvanger: Identiteit.optional(),
  rolOntvanger: z.string().max(40).optional(),
  /** The sender's Authorisation Service Provider, kept as the koppelvlak asks (answered in the receipt, archived). */
  autorisatieAdres: z.string().max(255).optional(),
  content: PayloadRef,
  attachments: z.array(PayloadRef),
  tijdstempelAangeleverd: z.iso.datetime({ offset: true }),
});
export type Envelope = z.infer<typeof Envelope>;

/** What a status says of the message it is about: the envelope has it, and so does a message's recorded progress. */
export type StatusSubject = Pick<Envelope, 'kenmerk' | 'berichtsoort' | 'aanleverkenmerk' | 'identiteitBelanghebbende'> & {
  readonly sender: Pick<Sender, 'oin'>;
};

/** What every event about a message says of it (statuses, retour afzender), taken from its envelope. */
export function messageReference(envelope: StatusSubject): { kenmerk: string; berichtsoort: string; senderOin: string; aanleverkenmerk: string | undefined } {
  return { kenmerk: envelope.kenmerk, berichtsoort: envelope.berichtsoort, senderOin: envelope.sender.oin, aanleverkenmerk: envelope.aanleverkenmerk };
}
