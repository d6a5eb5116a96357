/**
 * The sleep of a background loop (outbox relay, delivery worker) that new work cuts short. A kick while the
 * loop is busy is remembered, so the next sleep returns at once and nothing waits for a poll interval.
 */
export class Wakeup {
  private pending = false;
  private wake: (() => void) | undefined;

  kick(): void {
    this.pending = true;
    this.wake?.();
  }

  async sleep(ms: number): Promise<void> {
    if (!this.pending) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    this.pending = false;
  }
}
