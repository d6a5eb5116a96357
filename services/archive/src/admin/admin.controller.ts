import { Controller, Get } from '@nestjs/common';
import { Caller, RequireOperator } from '@poort/nest-edge';
import type { ClientIdentity } from '@poort/pki';

export interface WhoAmI {
  readonly oin: string;
  readonly subject: string;
  readonly role: 'operator';
}

/** The operators' own routes (OPERATOR_OINS); anyone else is refused with 403 ACCESS_DENIED before the route runs. */
@Controller('admin/v1')
export class AdminController {
  /** Which certificate the caller presented and that it is taken as an operator's: a check of an operator's set-up. */
  @Get('whoami')
  @RequireOperator()
  whoami(@Caller() caller: ClientIdentity): WhoAmI {
    return { oin: caller.oin, subject: caller.subject, role: 'operator' };
  }
}
