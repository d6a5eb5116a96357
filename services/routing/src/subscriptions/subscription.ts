import { plainTextProblem, type Envelope } from '@poort/contracts';
import { ROUTE_FORMATS, type RouteFormat } from '@poort/message-types';
import { z } from 'zod';

/** As a route's: the original, the type's own rendition (`transformed`), or a rendition by name that the type offers subscribers. */
export const SUBSCRIPTION_FORMATS = ROUTE_FORMATS;
export type SubscriptionFormat = RouteFormat;

/**
 * A recipient's standing order for the messages of one berichtsoort (Digilevering-like): each new message of that type
 * goes to the recipient profile `recipientId` too, when it is for the identiteitBelanghebbende and identiteitOntvanger
 * the subscription names (by nummer; a filter left out matches every message).
 */
export interface Subscription {
  readonly id: string;
  /** Who subscribed and may manage it: the OIN of the recipient's certificate. */
  readonly subscriberOin: string;
  /** The recipient profile (recipients.yaml) that receives, the way the profile says. */
  readonly recipientId: string;
  readonly berichtsoort: string;
  readonly identiteitBelanghebbende?: string;
  readonly identiteitOntvanger?: string;
  /** The content as submitted, the output of the type's transformation, or a rendition the type offers subscribers. */
  readonly format: SubscriptionFormat;
  /** Raised by every change; the API's ETag. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What a subscription routes on: the rest is bookkeeping. */
export type SubscriptionRule = Pick<Subscription, 'recipientId' | 'berichtsoort' | 'identiteitBelanghebbende' | 'identiteitOntvanger' | 'format'>;

/** Whether the message is one the subscription asks for. */
export function subscriptionMatches(rule: SubscriptionRule, envelope: Envelope): boolean {
  if (rule.berichtsoort !== envelope.berichtsoort) return false;
  if (rule.identiteitBelanghebbende !== undefined && rule.identiteitBelanghebbende !== envelope.identiteitBelanghebbende.nummer) return false;
  if (rule.identiteitOntvanger !== undefined && rule.identiteitOntvanger !== envelope.identiteitOntvanger?.nummer) return false;
  return true;
}

/** An identity's nummer as the envelope carries it (Identiteit.nummer): plain text, 1 to 35 characters. */
const Nummer = z
  .string()
  .min(1)
  .max(35)
  .refine((value) => value.trim() === value && plainTextProblem(value) === undefined, 'a nummer is plain text without surrounding spaces');

/** What a subscriber sends to create or change a subscription. */
export const SubscriptionRequest = z.strictObject({
  berichtsoort: z.string().min(1).max(80).refine((value) => plainTextProblem(value) === undefined, 'plain text'),
  identiteitBelanghebbende: Nummer.optional(),
  identiteitOntvanger: Nummer.optional(),
  format: z.enum(SUBSCRIPTION_FORMATS).default('original'),
  /**
   * The recipient profile that receives. A subscriber with one profile may leave it out; an operator, or a
   * subscriber with several profiles, names it.
   */
  recipient: z.string().min(1).max(100).regex(/^[a-z0-9-]+$/, 'a recipient id: lowercase letters, digits and dashes').optional(),
});
export type SubscriptionRequest = z.infer<typeof SubscriptionRequest>;
