import { SingleBar } from 'cli-progress';

/** Completions per second over the last `windowMs` (a sliding window, so a pause shows as a falling rate). */
export class RateMeter {
  private readonly times: number[] = [];

  constructor(
    private readonly windowMs = 10_000,
    private readonly now: () => number = Date.now,
    private readonly startedAt = now(),
  ) {}

  tick(count = 1): void {
    const at = this.now();
    for (let i = 0; i < count; i++) this.times.push(at);
    this.trim(at);
  }

  perSecond(): number {
    const at = this.now();
    this.trim(at);
    const span = Math.min(this.windowMs, at - this.startedAt);
    return span <= 0 ? 0 : (this.times.length * 1000) / span;
  }

  private trim(at: number): void {
    while (this.times.length > 0 && this.times[0]! <= at - this.windowMs) this.times.shift();
  }
}

/**
 * The progress line of a run on stderr: bar, count, rate, ETA, and why nothing moves when Poort asks to wait. In a
 * terminal it redraws in place; otherwise (a log, a pipe) it prints a plain line every few seconds.
 */
export class Progress {
  private readonly bar: SingleBar;
  private readonly rate = new RateMeter();
  private note = '';

  /** `done`: how many of `total` were done before this run (a resumed one). */
  constructor(
    readonly total: number,
    unit: string,
    private readonly done = 0,
    stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.bar = new SingleBar({
      stream,
      format: `{bar} {percentage}% | {value}/{total} ${unit} | {rate}/s | ETA {eta_formatted} | {note}`,
      barsize: 30,
      etaBuffer: 200,
      etaAsynchronousUpdate: true,
      fps: 5,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 5_000,
      barCompleteChar: '█',
      barIncompleteChar: '░',
    });
  }

  start(): void {
    this.bar.start(this.total, this.done, this.payload());
  }

  /** One more done (well or not); `note` replaces the waiting note. */
  increment(note = ''): void {
    this.rate.tick();
    this.note = note;
    this.bar.increment(1, this.payload());
  }

  /** Why nothing moves now (Poort busy, a retry); cleared by the next increment. */
  waiting(note: string): void {
    this.note = note;
    this.bar.update(this.payload());
  }

  stop(): void {
    this.bar.update(this.payload());
    this.bar.stop();
  }

  private payload() {
    return { rate: this.rate.perSecond().toFixed(1), note: this.note };
  }
}
