import { Controller, Get, Header } from '@nestjs/common';
import { PoortMetrics } from '@poort/observability';

@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: PoortMetrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
