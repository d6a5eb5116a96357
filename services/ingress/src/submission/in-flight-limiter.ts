/** Counts submissions being stored; refuses new ones beyond the limit so the service slows callers, not itself. */
export class InFlightLimiter {
  private inFlight = 0;

  constructor(private readonly limit: number) {}

  tryAcquire(): boolean {
    if (this.inFlight >= this.limit) return false;
    this.inFlight++;
    return true;
  }

  release(): void {
    this.inFlight--;
  }
}
