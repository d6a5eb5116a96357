/** What one delivery attempt came to, whatever the channel. */
export type AttemptOutcome =
  /** The recipient has it . */
  | { readonly kind: 'delivered'; readonly httpStatus?: number; readonly tijdstempelAfgeleverd?: string }
  /** In the pull recipient's mailbox: delivered (400) when a certificate of its OIN fetches it. */
  | { readonly kind: 'parked' }
  /** The recipient refuses this message (4xx, a SOAP fault): retrying cannot help. Its own foutcode when it gave one. */
  | { readonly kind: 'refused'; readonly httpStatus?: number; readonly detail: string; readonly foutcode?: string }
  /** Unreachable, timed out or failing (5xx, 408, 429): try again later. */
  | { readonly kind: 'failed'; readonly detail: string }
  /** Poort itself cannot make this delivery (its content is gone, its recipient no longer configured): no retry can help. */
  | { readonly kind: 'undeliverable'; readonly detail: string }
  /** Parked in a pull recipient's mailbox and not fetched before its retry window ended: no retry can help either. */
  | { readonly kind: 'unfetched' };

/** The stable id of one message for one recipient: the same on every retry, so the recipient can drop repeats. */
export const deliveryMessageId = (kenmerk: string, recipientId: string): string => `${kenmerk}:${recipientId}`;
