interface Waiting<T, R> {
  readonly item: T;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: items submitted while a batch is in hand wait for it and then go together, as the next batch, so
 * that work with a fixed cost per batch (a transaction, a request) is paid once for many. The busier the caller, the
 * larger the batches; an idle one waits for nothing. Each caller learns its own item's outcome: when a batch of several
 * fails, whose fault it was is unknown, so each of its items is handled again alone, and one bad item fails only
 * itself.
 */
export class Coalescer<T, R = void> {
  private waiting: Waiting<T, R>[] = [];
  private busy = false;

  /** `handle` answers with each item's result, in the items' order (or with nothing, when R is void). */
  constructor(private readonly handle: (items: readonly T[]) => Promise<readonly R[] | void>) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.busy) return;
      this.busy = true;
      // Work that arrives together (kafkajs's runs of one fetch, say) comes over a few ticks: gather it for the first batch.
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting;
      this.waiting = [];
      if (!(await this.settle(batch)) && batch.length > 1) {
        for (const waiting of batch) await this.settle([waiting]);
      }
    }
    this.busy = false;
  }

  /** Handles a batch and tells its callers; false when it failed and has more than one caller to tell (none told). */
  private async settle(batch: readonly Waiting<T, R>[]): Promise<boolean> {
    try {
      const results = await this.handle(batch.map((waiting) => waiting.item));
      batch.forEach((waiting, index) => waiting.resolve(results?.[index] as R));
      return true;
    } catch (error) {
      if (batch.length > 1) return false;
      batch[0]!.reject(error);
      return true;
    }
  }
}
