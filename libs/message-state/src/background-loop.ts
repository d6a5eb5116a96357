import { Wakeup } from './wakeup.js';

/**
 * A loop in the background of a service (the outbox relay, the delivery worker, the sweeper): it runs rounds until
 * stopped, each round saying how long to rest before the next (0: at once), and a kick cuts the rest short. A round
 * handles its own errors. Stopping waits for the round in hand to end.
 */
export class BackgroundLoop {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly wakeup = new Wakeup();

  constructor(private readonly round: () => Promise<number>) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  kick(): void {
    this.wakeup.kick();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeup.kick();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const restMs = await this.round();
      if (this.running && restMs > 0) await this.wakeup.sleep(restMs);
    }
  }
}
