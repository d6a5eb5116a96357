export interface BackoffPolicy {
  readonly initialBackoff: number;
  readonly maxBackoff: number;
}

/** Exponential back-off with jitter (half to full delay), so recipients coming back are not stampeded. */
export function nextDelayMs(policy: BackoffPolicy, failedAttempts: number, random: () => number = Math.random): number {
  const exponential = policy.initialBackoff * 2 ** Math.max(0, failedAttempts - 1);
  const capped = Math.min(exponential, policy.maxBackoff);
  return Math.round(capped * (0.5 + random() / 2));
}
