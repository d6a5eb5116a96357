import { Injectable } from '@nestjs/common';
import { PoortMetrics } from '@poort/observability';
import { Counter } from 'prom-client';

/** What happens to uploads over their life. */
export type UploadEvent = 'announced' | 'completed' | 'failed' | 'expired';

/** What an operator watches of Grote Berichten: bytes coming in, and uploads announced, completed, failed and expired. */
@Injectable()
export class GroteBerichtenMetrics {
  readonly bytesReceived: Counter;
  readonly uploads: Counter<'event'>;

  constructor(metrics: PoortMetrics) {
    const registers = [metrics.registry];
    this.bytesReceived = new Counter({
      name: 'poort_ingress_grote_berichten_bytes_received_total',
      help: 'Bytes of Grote Berichten uploads received in PUT bodies (stored or not)',
      registers,
    });
    this.uploads = new Counter({
      name: 'poort_ingress_grote_berichten_uploads_total',
      help: 'Grote Berichten uploads by event: announced, completed (became a message), failed (checksum or size), expired',
      labelNames: ['event'],
      registers,
    });
  }

  count(event: UploadEvent, by = 1): void {
    if (by > 0) this.uploads.inc({ event }, by);
  }
}
