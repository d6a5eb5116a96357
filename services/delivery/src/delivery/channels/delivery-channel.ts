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
}

/** A way to receive (domain: WUS afleverservice, REST push, pull mailbox): one attempt, and what it came to. */
export interface DeliveryChannel {
  readonly name: DeliveryChannelName;
  /** Never throws: a failure to deliver is an outcome. */
  deliver(attempt: DeliveryAttempt): Promise<AttemptOutcome>;
}

export const DELIVERY_CHANNELS = Symbol('delivery-channels');
