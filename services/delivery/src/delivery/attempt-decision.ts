import { FOUTCODE, STATUS, type Foutmelding, type StatusInput } from '@poort/contracts';

import { nextDelayMs, type BackoffPolicy } from './backoff.js';
import type { AttemptOutcome } from './attempt-outcome.js';

/** How a delivery's row changes after an attempt. */
export type DeliveryUpdate =
  | { readonly state: 'delivered' }
  | { readonly state: 'parked' }
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
  /** The message type's back-off; absent when the type is no longer configured (only a failure needs it). */
  readonly backoff: BackoffPolicy | undefined;
}

/**
 * The delivery state machine, as a pure decision. Delivered: 400 once every recipient has it. Parked in a pull
 * recipient's mailbox: no status yet; its fetch is its delivery (recorded as delivered then). Refused (the
 * recipient says no): final 410/AFO100 and retour afzender. Failed (down, timeout, 5xx): a retry with back-off and
 * one 420 per recipient while it is down, or, when the next retry would fall after the window, a final 420/AFS600
 * and retour afzender. Undeliverable (Poort cannot make the delivery, and no retry would change that): the same
 * final 420/AFS600 and retour afzender at once. Parked and not fetched by the end of the window (the pull recipient's
 * time to fetch): the same final 420/AFS600 and retour afzender.
 */
export function decideAttempt(outcome: AttemptOutcome, facts: AttemptFacts, random: () => number = Math.random): AttemptDecision {
  const { recipientId } = facts;
  switch (outcome.kind) {
    case 'delivered': {
      if (facts.deliveredToOthers + 1 < facts.recipientCount) return { update: { state: 'delivered' }, statuses: [] };
      // The recipient's own time of receipt (afleverResponse) is its word, in the detail: the status keeps Poort's time,
      // so that a recipient's clock cannot put the 400 before the 405.
      const details = outcome.tijdstempelAfgeleverd ? `tijdstempelAfgeleverd ${outcome.tijdstempelAfgeleverd} (${recipientId})` : undefined;
      return { update: { state: 'delivered' }, statuses: [{ code: STATUS.afgeleverd, ...(details ? { details } : {}) }] };
    }
    case 'parked':
      return { update: { state: 'parked' }, statuses: [] };
    case 'refused': {
      const reden = { foutcode: outcome.foutcode ?? FOUTCODE.ontvangerWeigert, foutbeschrijving: `${recipientId} weigert het bericht: ${outcome.detail}` };
      return {
        update: { state: 'refused', lastError: outcome.detail },
        statuses: [{ code: STATUS.afleveringMislukt, scope: recipientId, fout: reden }],
        returnToSender: reden,
      };
    }
    case 'unfetched': {
      const detail = `niet opgehaald binnen het afleveringsvenster (tot ${facts.deadline.toISOString()})`;
      return givenUp(recipientId, detail, `niet opgehaald door ${recipientId} binnen het afleveringsvenster (tot ${facts.deadline.toISOString()}); retour afzender`);
    }
    case 'undeliverable':
      return givenUp(recipientId, outcome.detail, `niet afleverbaar aan ${recipientId}; retour afzender. Oorzaak: ${outcome.detail}`);
    case 'failed': {
      const failedAttempts = facts.attemptsBefore + 1;
      if (!facts.backoff) {
        return givenUp(recipientId, outcome.detail, `niet afleverbaar aan ${recipientId}: de berichtsoort is niet meer geconfigureerd; retour afzender. Laatste fout: ${outcome.detail}`);
      }
      const retryAt = new Date(facts.now.getTime() + nextDelayMs(facts.backoff, failedAttempts, random));
      if (retryAt.getTime() > facts.deadline.getTime()) {
        return givenUp(
          recipientId,
          outcome.detail,
          `niet afgeleverd aan ${recipientId} na ${failedAttempts} pogingen binnen het afleveringsvenster; retour afzender. Laatste fout: ${outcome.detail}`,
        );
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

/** Delivery to this recipient ends here: a final 420/AFS600 with the reason, and the message back to its sender. */
function givenUp(recipientId: string, lastError: string, foutbeschrijving: string): AttemptDecision {
  const reden = { foutcode: FOUTCODE.nietAfleverbaar, foutbeschrijving };
  return {
    update: { state: 'expired', lastError },
    statuses: [{ code: STATUS.technischeFoutAflevering, scope: `${recipientId}:final`, final: true, fout: reden }],
    returnToSender: reden,
  };
}
