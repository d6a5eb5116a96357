import type { Readable } from 'node:stream';

import type { Envelope, PayloadRef } from '@poort/contracts';
import type { DeliveryChannelName, Recipient } from '@poort/message-types';

import type { AttemptOutcome } from '../attempt-outcome.js';

/** One message for one recipient, as the worker hands it to the recipient's channel. */
export interface DeliveryAttempt {
  readonly recipient: Recipient;
  readonly envelope: Envelope;
  readonly payload: PayloadRef;
  /** The content in hand when it is small, a stream from the payload store otherwise. */
  readonly content: Buffer | Readable;
  /** The message's attachments (berichtBijlagen) that travel with it: none when the recipient's profile wants none. */
  readonly attachments: readonly PayloadRef[];
  /** A stored file's bytes, checked against its SHA-256 (for attachments, and content that must be whole in hand). */
  read(ref: PayloadRef): Promise<Buffer>;
}

/** A way to receive (domain: WUS afleverservice, REST push, pull mailbox): one attempt, and what it came to. */
export interface DeliveryChannel {
  readonly name: DeliveryChannelName;
  /** It keeps the content's reference for the recipient to fetch later (a mailbox), rather than sending the content now. */
  readonly parksByReference?: boolean;
  /** Never throws: a failure to deliver is an outcome. */
  deliver(attempt: DeliveryAttempt): Promise<AttemptOutcome>;
}

export const DELIVERY_CHANNELS = Symbol('delivery-channels');
