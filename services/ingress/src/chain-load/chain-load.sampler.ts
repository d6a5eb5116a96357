import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { TOPICS, type Topic } from '@poort/contracts';
import type { ConsumerLag } from '@poort/kafka';
import { BackgroundLoop, outboxBacklog, type Queryable } from '@poort/message-state';
import { stageGroupId } from '@poort/pipeline';

import type { ChainLoadMetrics } from './chain-load.metrics.js';
import { OPEN, judge, type LoadJudgement, type LoadLimits, type LoadSample, type LoadVerdict } from './load-policy.js';

/** A hop of the message path: the stage's consumer group and the topic it consumes. */
export interface ChainHop {
  readonly stage: string;
  readonly topic: Topic;
}

/**
 * The hops between an accepted submission and its delivery (architecture.md): their lag is work Poort accepted and has
 * not done. Archive and notification are off that path; status reads go on while they are behind.
 */
export const MESSAGE_PATH: readonly ChainHop[] = [
  { stage: 'authorization', topic: TOPICS.received },
  { stage: 'validation', topic: TOPICS.authorized },
  { stage: 'transformation', topic: TOPICS.validated },
  { stage: 'routing', topic: TOPICS.transformed },
  { stage: 'delivery', topic: TOPICS.deliveryRequested },
];

/** What the sampler logs with (pino's Logger is one). */
export interface TransitionLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface ChainLoadSamplerDeps {
  readonly lags: { consumerLag(groupId: string, topic: string): Promise<ConsumerLag> };
  readonly db: Queryable;
  readonly limits: LoadLimits;
  readonly intervalMs: number;
  readonly logger: TransitionLog;
  readonly metrics: ChainLoadMetrics;
  readonly hops?: readonly ChainHop[];
  readonly now?: () => number;
}

/**
 * Looks at the chain every intervalMs and keeps the verdict (LoadPolicy) for submissions to read at no cost. Every
 * ingress replica samples on its own and comes to the same verdict from the same broker and database. A source that
 * does not answer is left out of the sample (and its failure logged once, not every round): when Kafka is away the
 * outbox still grows and tells; when both are away the verdict stays as it was.
 */
export class ChainLoadSampler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private judgement: LoadJudgement = OPEN;
  private readonly loop = new BackgroundLoop(() => this.round());
  private readonly failing = new Set<'kafka' | 'postgres'>();
  private readonly hops: readonly ChainHop[];
  private readonly now: () => number;

  constructor(private readonly deps: ChainLoadSamplerDeps) {
    this.hops = deps.hops ?? MESSAGE_PATH;
    this.now = deps.now ?? Date.now;
  }

  verdict(): LoadVerdict {
    return this.judgement.verdict;
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One look and judgement; the loop's round, and what a test calls to sample at a moment of its choosing. */
  async sample(): Promise<LoadVerdict> {
    const [lag, backlog] = await Promise.all([this.worstLag(), this.backlog()]);
    const sample: LoadSample = { atMs: this.now(), lag, backlog };
    const before = this.judgement.verdict;
    this.judgement = judge(this.judgement, sample, this.deps.limits);
    const after = this.judgement.verdict;
    this.deps.metrics.busy.set(after.state === 'busy' ? 1 : 0);
    this.deps.metrics.retryAfter.set(after.state === 'busy' ? after.retryAfterSeconds : 0);
    if (before.state !== after.state) this.logTransition(after, sample);
    return after;
  }

  private async round(): Promise<number> {
    await this.sample();
    return this.deps.intervalMs;
  }

  private logTransition(verdict: LoadVerdict, sample: LoadSample): void {
    const { maxLag, maxBacklog, resumeRatio } = this.deps.limits;
    const measured = { lag: sample.lag ?? null, backlog: sample.backlog ?? null, maxLag, maxBacklog, resumeRatio };
    if (verdict.state === 'busy') {
      this.deps.logger.warn({ ...measured, cause: verdict.cause, retryAfterSeconds: verdict.retryAfterSeconds }, 'chain is behind: submissions are refused as busy');
    } else {
      this.deps.logger.info(measured, 'chain caught up: submissions are accepted again');
    }
  }

  /** The lag of the hop furthest behind; undefined when the broker did not answer. */
  private async worstLag(): Promise<number | undefined> {
    if (this.deps.limits.maxLag === 0) return undefined;
    try {
      const lags = await Promise.all(this.hops.map((hop) => this.deps.lags.consumerLag(stageGroupId(hop.stage), hop.topic)));
      for (const lag of lags) this.deps.metrics.lag.set({ group: lag.groupId, topic: lag.topic }, lag.lag);
      this.recovered('kafka');
      return Math.max(0, ...lags.map((lag) => lag.lag));
    } catch (error) {
      this.failed('kafka', error);
      return undefined;
    }
  }

  private async backlog(): Promise<number | undefined> {
    if (this.deps.limits.maxBacklog === 0) return undefined;
    try {
      // Counting past twice the limit tells nothing more, and a look costs the same however long the queue is.
      const backlog = await outboxBacklog(this.deps.db, this.deps.limits.maxBacklog * 2 + 1);
      this.deps.metrics.backlog.set(backlog);
      this.recovered('postgres');
      return backlog;
    } catch (error) {
      this.failed('postgres', error);
      return undefined;
    }
  }

  private failed(source: 'kafka' | 'postgres', error: unknown): void {
    if (this.failing.has(source)) return;
    this.failing.add(source);
    this.deps.logger.warn({ err: error, source }, 'chain load: cannot sample; judging without it until it answers');
  }

  private recovered(source: 'kafka' | 'postgres'): void {
    if (this.failing.delete(source)) this.deps.logger.info({ source }, 'chain load: sampling again');
  }
}
