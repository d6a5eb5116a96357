import { Body, Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { Refusal } from '@poort/contracts';
import { Caller, RequireOperator } from '@poort/nest-edge';
import { LOGGER } from '@poort/nest-kit';
import { PoortMetrics, type Logger } from '@poort/observability';
import { DeadLetters, type DeadLetterFilter, type DeadLetterRecord } from '@poort/pipeline';
import type { ClientIdentity } from '@poort/pki';
import { z } from 'zod';

const Filter = z.strictObject({
  ids: z.array(z.number().int().positive()).max(1_000).optional(),
  topic: z.string().max(200).optional(),
  stage: z.string().max(100).optional(),
  kenmerk: z.string().max(40).optional(),
  reason: z.string().max(200).optional(),
  all: z.literal(true).optional(),
});

/**
 * Dead letters for operators: list them by topic, stage, kenmerk or a text in the reason, and re-drive one, a
 * filter, or all of them into their topic after a fix (the command `pnpm run redrive` does the same). Each re-drive
 * is logged with the operator's OIN and counted (poort_redriven_total).
 */
@Controller('admin/v1/dead-letters')
export class DeadLettersController {
  constructor(
    private readonly deadLetters: DeadLetters,
    private readonly metrics: PoortMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get()
  @RequireOperator()
  list(
    @Query('topic') topic?: string,
    @Query('stage') stage?: string,
    @Query('kenmerk') kenmerk?: string,
    @Query('reason') reason?: string,
    @Query('redriven') redriven?: string,
  ): Promise<DeadLetterRecord[]> {
    return this.deadLetters.list(toFilter({ topic, stage, kenmerk, reason }, redriven === 'true'));
  }

  @Post('redrive')
  @HttpCode(200)
  @RequireOperator()
  async redrive(@Caller() operator: ClientIdentity, @Body() body: unknown): Promise<{ redriven: DeadLetterRecord[] }> {
    const parsed = Filter.safeParse(body ?? {});
    if (!parsed.success) throw new Refusal('ADMIN_REQUEST_INVALID', 'invalid', `not a dead-letter filter: ${parsed.error.issues[0]?.message ?? ''}`);
    const { all, ...rest } = parsed.data;
    const filter = toFilter(rest, false);
    if (Object.keys(filter).length === 0 && !all) throw new Refusal('ADMIN_REQUEST_INVALID', 'invalid', 'name the dead letters to re-drive, or send {"all": true}');
    const redriven = await this.deadLetters.redrive(filter);
    for (const letter of redriven) this.metrics.redriven.inc({ topic: letter.topic });
    this.logger.info({ operator: operator.oin, filter: parsed.data, ids: redriven.map((letter) => letter.id) }, 'dead letters re-driven');
    return { redriven };
  }
}

function toFilter(values: { ids?: number[]; topic?: string; stage?: string; kenmerk?: string; reason?: string }, includeRedriven: boolean): DeadLetterFilter {
  return {
    ...(values.ids ? { ids: values.ids } : {}),
    ...(values.topic ? { topic: values.topic } : {}),
    ...(values.stage ? { stage: values.stage } : {}),
    ...(values.kenmerk ? { kenmerk: values.kenmerk } : {}),
    ...(values.reason ? { reasonContains: values.reason } : {}),
    ...(includeRedriven ? { includeRedriven } : {}),
  };
}
