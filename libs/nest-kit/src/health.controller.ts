import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { KafkaBus } from '@poort/kafka';
import { pingDatabase, type Pool } from '@poort/message-state';

import { DB_POOL } from './tokens.js';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly bus: KafkaBus,
    @Inject(DB_POOL) private readonly pool: Pool,
  ) {}

  /** The process is alive; restarting it would not help anything else. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Ready for traffic only while both Kafka and Postgres answer. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.probe('kafka', () => this.bus.ping()), () => this.probe('postgres', () => pingDatabase(this.pool))]);
  }

  private async probe(key: string, check: () => Promise<void>) {
    const indicator = this.indicators.check(key);
    try {
      await check();
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
