import type { AttemptOutcome } from './attempt-outcome.js';

export interface CircuitPolicy {
  /** Failed attempts in a row (unreachable, timed out, 5xx) that open a recipient's circuit. */
  readonly failureThreshold: number;
  /** How long the circuit stays open the first time; doubled each time a probe fails, up to maxOpenMs. */
  readonly openMs: number;
  readonly maxOpenMs: number;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

/** The circuit state as a metric value. */
export const CIRCUIT_GAUGE: Readonly<Record<CircuitState, number>> = { closed: 0, 'half-open': 1, open: 2 };

interface Circuit {
  failures: number;
  /** While open: until when. */
  openUntil: number;
  /** The open time of the next opening. */
  nextOpenMs: number;
  /** A half-open circuit's one probe is out. */
  probing: boolean;
}

/**
 * A circuit breaker per recipient. Closed: deliveries go as usual. After `failureThreshold` failed attempts in a row
 * it opens: nothing is sent to that recipient for a while (its deliveries wait; only those whose retry window has ended
 * are given up, without a request). Then half-open: one probe; its success closes the circuit, its failure opens it
 * again for twice as long. A recipient that answers, even with a refusal, is up.
 */
export class RecipientCircuits {
  private readonly circuits = new Map<string, Circuit>();

  constructor(
    private readonly policy: CircuitPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  state(recipientId: string): CircuitState {
    const circuit = this.circuits.get(recipientId);
    if (!circuit || circuit.failures < this.policy.failureThreshold) return 'closed';
    return this.now() < circuit.openUntil ? 'open' : 'half-open';
  }

  /** How many attempts to this recipient may start now, given its own limit and those in flight. */
  room(recipientId: string, limit: number, inFlight: number): number {
    switch (this.state(recipientId)) {
      case 'closed':
        return Math.max(0, limit - inFlight);
      case 'half-open':
        return this.circuits.get(recipientId)!.probing || inFlight > 0 ? 0 : 1;
      case 'open':
        return 0;
    }
  }

  /** An attempt starts: in a half-open circuit, it is the probe. */
  started(recipientId: string): void {
    const circuit = this.circuits.get(recipientId);
    if (circuit && this.state(recipientId) === 'half-open') circuit.probing = true;
  }

  record(recipientId: string, outcome: AttemptOutcome['kind']): void {
    if (outcome === 'undeliverable') return; // Poort's own problem says nothing about the recipient
    const circuit = this.circuits.get(recipientId) ?? { failures: 0, openUntil: 0, nextOpenMs: this.policy.openMs, probing: false };
    const wasProbe = circuit.probing;
    circuit.probing = false;
    if (outcome !== 'failed') {
      this.circuits.delete(recipientId);
      return;
    }
    circuit.failures += 1;
    if (circuit.failures >= this.policy.failureThreshold && (wasProbe || circuit.openUntil === 0)) {
      circuit.openUntil = this.now() + circuit.nextOpenMs;
      circuit.nextOpenMs = Math.min(circuit.nextOpenMs * 2, this.policy.maxOpenMs);
    }
    this.circuits.set(recipientId, circuit);
  }
}
