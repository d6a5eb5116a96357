import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

export interface RecipientsWorkerData {
  /** Recipient name → the port its push endpoint listens on. */
  readonly ports: Readonly<Record<string, number>>;
}

export type RecipientsRequest = { readonly type: 'kenmerken' } | { readonly type: 'stop' };

/**
 * The bench's recipients (TestRecipient push endpoints) in a worker thread: the bursts of deliveries they take must not
 * hold up the load generator's event loop, whose timers and response handling are what the receipt latencies are
 * measured with. A real recipient is another machine; here it is another thread of the same process, so its CPU still
 * counts in the table's "load generator + recipients" row.
 */
export class RecipientsThread {
  private constructor(
    private readonly worker: Worker,
    /** Recipient name → its push URL. */
    readonly urls: Readonly<Record<string, string>>,
  ) {}

  static async start(ports: Readonly<Record<string, number>>): Promise<RecipientsThread> {
    const worker = new Worker(new URL('./recipients-worker.js', import.meta.url), { workerData: { ports } satisfies RecipientsWorkerData });
    const [urls] = (await Promise.race([once(worker, 'message'), once(worker, 'error').then(([error]) => Promise.reject(error as Error))])) as [Record<string, string>];
    return new RecipientsThread(worker, urls);
  }

  /** Recipient name → the kenmerken of the messages it received (each message once). */
  async kenmerken(): Promise<Record<string, string[]>> {
    return this.ask<Record<string, string[]>>({ type: 'kenmerken' });
  }

  async stop(): Promise<void> {
    await this.ask({ type: 'stop' });
    await this.worker.terminate();
  }

  private async ask<T>(request: RecipientsRequest): Promise<T> {
    const answer = once(this.worker, 'message');
    this.worker.postMessage(request);
    return ((await answer) as [T])[0];
  }
}
