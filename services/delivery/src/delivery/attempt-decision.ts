import { FOUTCODE, STATUS, type Foutmelding, type StatusInput } from '@poort/contracts';

import { nextDelayMs, type BackoffPolicy } from './backoff.js';
import type { AttemptOutcome } from './recipient-client.js';

/** How a delivery's row changes after an attempt. */
export type DeliveryUpdate =
  | { readonly state: 'delivered' }
  | { readonly state: 'refused' | 'expired'; readonly lastError: string }
  | { readonly state: 'pending'; readonly retryAt: Date; readonly lastError: string };

/** What an attempt's outcome means for the message: its row, the statuses a sender sees, and whether it goes back. */
export interface AttemptDecision {
  readonly update: DeliveryUpdate;
  readonly statuses: readonly StatusInput[];
  /** Retour afzender: the message goes back to its sender, with this reason. */
  readonly returnToSender?: Foutmelding;
}

export interface AttemptFacts {
  readonly recipientId: string;
  readonly recipientCount: number;
  /** Failed attempts before this one. */
  readonly attemptsBefore: number;
  /** The end of the message type's retry window. */
  readonly deadline: Date;
  readonly now: Date;
  /** Other recipients of the same message that have it already (read under the message's lock). */
  readonly deliveredToOthers: number;
  readonly backoff: BackoffPolicy;
}

/**
 * The delivery state machine, as a pure decision. Delivered: 400 once every recipient has it. Refused (the
 * recipient says no): final 410/AFO100 and retour afzender. Failed (down, timeout, 5xx): a retry with back-off and
 * one 420 per recipient while it is down, or, when the next retry would fall after the window, a final 420/AFS600
 * and retour afzender.
 */
export function decideAttempt(outcome: AttemptOutcome, facts: AttemptFacts, random: () => number = Math.random): AttemptDecision {
  const { recipientId } = facts;
  switch (outcome.kind) {
    case 'delivered':
      return {
        update: { state: 'delivered' },
        statuses: facts.deliveredToOthers + 1 >= facts.recipientCount ? [{ code: STATUS.afgeleverd }] : [],
      };
    case 'refused': {
      const reden = { foutcode: FOUTCODE.ontvangerWeigert, foutbeschrijving: `${recipientId} weigert het bericht: ${outcome.detail}` };
      return {
        update: { state: 'refused', lastError: outcome.detail },
        statuses: [{ code: STATUS.afleveringMislukt, scope: recipientId, fout: reden }],
        returnToSender: reden,
      };
    }
    case 'failed': {
      const failedAttempts = facts.attemptsBefore + 1;
      const retryAt = new Date(facts.now.getTime() + nextDelayMs(facts.backoff, failedAttempts, random));
      if (retryAt.getTime() > facts.deadline.getTime()) {
        const reden = {
          foutcode: FOUTCODE.nietAfleverbaar,
          foutbeschrijving: `niet afgeleverd aan ${recipientId} na ${failedAttempts} pogingen binnen het afleveringsvenster; retour afzender. Laatste fout: ${outcome.detail}`,
        };
        return {
          update: { state: 'expired', lastError: outcome.detail },
          statuses: [{ code: STATUS.technischeFoutAflevering, scope: `${recipientId}:final`, final: true, fout: reden }],
          returnToSender: reden,
        };
      }
      // One 420 per recipient while it is down (the same statusId every attempt): the history is not flooded.
      const fout = { foutcode: FOUTCODE.afleverfout, foutbeschrijving: `${recipientId}: ${outcome.detail}` };
      return {
        update: { state: 'pending', retryAt, lastError: outcome.detail },
        statuses: [{ code: STATUS.technischeFoutAflevering, scope: recipientId, fout }],
      };
    }
  }
}
