/**
 * When is the chain too far behind to take more submissions, and when has it caught up: a pure policy over samples of
 * the two places where accepted work waits (Kafka consumer lag of the message path, and the outbox of events not yet
 * in Kafka). Busy above a limit; open again only once every measure is down to resumeRatio of its limit, so that the
 * verdict does not flap around the limit. ChainLoadSampler feeds it; unit tests drive it with plain samples.
 */

export interface LoadLimits {
  /** Busy when any hop of the message path is more events behind than this; 0 leaves lag out. */
  readonly maxLag: number;
  /** Busy when more events than this wait in the outbox; 0 leaves the outbox out. */
  readonly maxBacklog: number;
  /** Open again once every measure is at or below this fraction of its limit (hysteresis). */
  readonly resumeRatio: number;
  /** The bounds of the Retry-After a busy answer gives, in seconds. */
  readonly retryAfter: { readonly minSeconds: number; readonly maxSeconds: number };
}

/** One look at the chain. A measure that could not be taken (its source did not answer) is undefined. */
export interface LoadSample {
  readonly atMs: number;
  /** Events behind on the hop that is furthest behind. */
  readonly lag: number | undefined;
  /** Events waiting in the outbox. */
  readonly backlog: number | undefined;
}

export type LoadMeasure = 'lag' | 'backlog';

export type LoadVerdict =
  | { readonly state: 'open' }
  | {
      readonly state: 'busy';
      /** The measure furthest over its limit when it became busy, or now. */
      readonly cause: LoadMeasure;
      readonly sinceMs: number;
      /** When to come back: the time the chain needs to drain to where it opens again, at the rate it drains now. */
      readonly retryAfterSeconds: number;
    };

/** The policy's memory: the verdict, and the sample it was made from (to see how fast the chain drains). */
export interface LoadJudgement {
  readonly verdict: LoadVerdict;
  readonly sample: LoadSample | undefined;
}

export const OPEN: LoadJudgement = { verdict: { state: 'open' }, sample: undefined };

export function judge(previous: LoadJudgement, sample: LoadSample, limits: LoadLimits): LoadJudgement {
  const measures = measured(sample, limits);
  // Nothing could be measured: keep the verdict rather than open or close on no evidence.
  if (measures.length === 0) return { verdict: previous.verdict, sample: previous.sample };
  const worst = measures.reduce((a, b) => (b.value / b.limit > a.value / a.limit ? b : a));
  const stillBusy = previous.verdict.state === 'busy' && !measures.every((measure) => measure.value <= measure.limit * limits.resumeRatio);
  const becomesBusy = measures.some((measure) => measure.value > measure.limit);
  if (!stillBusy && !becomesBusy) return { verdict: { state: 'open' }, sample };
  return {
    verdict: {
      state: 'busy',
      cause: worst.name,
      sinceMs: previous.verdict.state === 'busy' ? previous.verdict.sinceMs : sample.atMs,
      retryAfterSeconds: retryAfterSeconds(previous.sample, sample, limits),
    },
    sample,
  };
}

interface Measure {
  readonly name: LoadMeasure;
  readonly value: number;
  readonly limit: number;
}

function measured(sample: LoadSample, limits: LoadLimits): Measure[] {
  const measures: Measure[] = [];
  if (limits.maxLag > 0 && sample.lag !== undefined) measures.push({ name: 'lag', value: sample.lag, limit: limits.maxLag });
  if (limits.maxBacklog > 0 && sample.backlog !== undefined) measures.push({ name: 'backlog', value: sample.backlog, limit: limits.maxBacklog });
  return measures;
}

/**
 * How long until every measure is down to where the verdict opens again, at the rate each fell since the previous
 * sample; the longest of them, within the configured bounds. A measure above that level that did not fall (a stage
 * that is down) gives the upper bound: Poort cannot promise sooner.
 */
export function retryAfterSeconds(previous: LoadSample | undefined, sample: LoadSample, limits: LoadLimits): number {
  const { minSeconds, maxSeconds } = limits.retryAfter;
  let seconds = minSeconds;
  for (const measure of measured(sample, limits)) {
    const excess = measure.value - measure.limit * limits.resumeRatio;
    if (excess <= 0) continue;
    const before = previous?.[measure.name];
    const elapsedSeconds = previous ? (sample.atMs - previous.atMs) / 1_000 : 0;
    const drainPerSecond = before !== undefined && elapsedSeconds > 0 ? (before - measure.value) / elapsedSeconds : 0;
    seconds = Math.max(seconds, drainPerSecond > 0 ? excess / drainPerSecond : maxSeconds);
  }
  return Math.min(maxSeconds, Math.max(minSeconds, Math.ceil(seconds)));
}
