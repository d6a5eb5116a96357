import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { BackgroundLoop } from '@poort/message-state';
import type { Logger } from '@poort/observability';
import type { StagedUploads } from '@poort/payload-store';

import type { GroteBerichtenMetrics } from './grote-berichten.metrics.js';

/** Uploads one round expires at most; a full round is followed by the next at once. */
const SWEEP_BATCH = 100;

/**
 * Expires the uploads that were not complete within GROTE_BERICHTEN_EXPIRY: they become verlopen and their staged
 * parts are deleted, so abandoned uploads give their storage back. Every replica sweeps; SKIP LOCKED keeps them apart.
 */
export class UploadExpirySweeper implements OnModuleInit, OnModuleDestroy {
  private readonly loop = new BackgroundLoop(() => this.round());

  constructor(
    private readonly uploads: StagedUploads,
    private readonly intervalMs: number,
    private readonly metrics: GroteBerichtenMetrics,
    private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.loop.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.loop.stop();
  }

  /** One round: how many uploads it expired (for tests and the loop). */
  async sweep(): Promise<number> {
    const expired = await this.uploads.expireDue(SWEEP_BATCH);
    this.metrics.count('expired', expired);
    if (expired > 0) this.logger.info({ expired }, 'grote berichten uploads expired');
    return expired;
  }

  private async round(): Promise<number> {
    try {
      return (await this.sweep()) === SWEEP_BATCH ? 0 : this.intervalMs;
    } catch (error) {
      this.logger.warn({ err: error }, 'expiring grote berichten uploads failed; trying again later');
      return this.intervalMs;
    }
  }
}
