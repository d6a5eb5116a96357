import { FOUTCODE, Refusal } from '@poort/contracts';

import type { LoadVerdict } from '../chain-load/load-policy.js';
import type { InFlightLimiter } from './in-flight-limiter.js';

/** Why a submission was refused as busy: the chain is behind (every replica says so), or this process is full. */
export type BusyReason = 'chain' | 'in-flight';

/** When a process that is full is worth trying again: its requests in flight take well under a second each. */
const IN_FLIGHT_RETRY_AFTER_SECONDS = 1;

/**
 * Whether Poort takes a submission now: not while the chain is behind (the sampler's verdict, read from memory), nor
 * beyond this process's requests in flight. A refusal is Digipoort's busy answer: foutcode ALS400 (its technical error
 * of the aanleverservice, which senders already retry), kind 'overloaded' (HTTP 503, SOAP Server fault) with a
 * Retry-After; the text and details say which of Digipoort's two busy conditions it is (README, "Busy answers").
 */
export class SubmissionAdmission {
  constructor(
    private readonly inFlight: InFlightLimiter,
    private readonly chain: { verdict(): LoadVerdict } = { verdict: () => ({ state: 'open' }) },
    private readonly onBusy: (reason: BusyReason) => void = () => undefined,
  ) {}

  /** Admits one submission, or throws the busy refusal; call the returned function when the submission is done. */
  admit(): () => void {
    const verdict = this.chain.verdict();
    if (verdict.state === 'busy') {
      this.onBusy('chain');
      throw overbelast(verdict.retryAfterSeconds);
    }
    if (!this.inFlight.tryAcquire()) {
      this.onBusy('in-flight');
      throw zwaarbelast(IN_FLIGHT_RETRY_AFTER_SECONDS);
    }
    return () => this.inFlight.release();
  }
}

const seconds = (count: number): string => `${count} ${count === 1 ? 'seconde' : 'seconden'}`;

/** The chain is behind: no replica can take it; come back when the backlog has drained. */
function overbelast(retryAfterSeconds: number): Refusal {
  return new Refusal(
    FOUTCODE.technischeFoutAanleveren,
    'overloaded',
    `Poort is overbelast: de verwerking van eerder aangeleverde berichten loopt achter. Lever dit bericht over ${seconds(retryAfterSeconds)} opnieuw aan.`,
    {
      belasting: 'OVERBELAST',
      retryAfterSeconds,
      description: `Poort is overloaded: processing of earlier submissions is behind. Submit this message again in ${retryAfterSeconds} s.`,
    },
    { retryAfterSeconds },
  );
}

/** This process has too many submissions in hand: a moment later, or another replica, will take it. */
function zwaarbelast(retryAfterSeconds: number): Refusal {
  return new Refusal(
    FOUTCODE.technischeFoutAanleveren,
    'overloaded',
    `Poort is zwaarbelast: er worden op dit moment te veel berichten tegelijk aangeleverd. Lever dit bericht over ${seconds(retryAfterSeconds)} opnieuw aan.`,
    {
      belasting: 'ZWAARBELAST',
      retryAfterSeconds,
      description: `Poort is heavily loaded: too many submissions are being stored at this moment. Submit this message again in ${retryAfterSeconds} s.`,
    },
    { retryAfterSeconds },
  );
}
