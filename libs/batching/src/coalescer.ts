/** A batch of several callers' items failed: the fault may be any one's. */
export class SharedBatchFailed extends Error {
  constructor(override readonly cause: unknown) {
    super(`a batch shared by several callers failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'SharedBatchFailed';
  }
}

interface Waiting<T, R> {
  readonly item: T;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: items submitted while a batch is in hand wait for it and then go together, as the next batch, so
 * that work with a fixed cost per batch (a transaction, a request) is paid once for many. The busier the caller, the
 * larger the batches; an idle one waits for nothing. Each caller learns the outcome of the batch its item was in: a
 * lone item's error as it is, a shared batch's as SharedBatchFailed (whose fault it was is for the caller to find out).
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
      try {
        const results = await this.handle(batch.map((waiting) => waiting.item));
        batch.forEach((waiting, index) => waiting.resolve(results?.[index] as R));
      } catch (error) {
        for (const waiting of batch) waiting.reject(batch.length === 1 ? error : new SharedBatchFailed(error));
      }
    }
    this.busy = false;
  }
}
