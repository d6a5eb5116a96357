import { readZetStatusRequest, zetStatusResponseXml, type WusCall, type WusOperationHandler } from '@poort/wus';

import type { RecipientStatusService } from './recipient-status.service.js';

/**
 * The afleverstatusservice over WUS: zetStatus reads its koppelvlak request and asks the same use case as the REST
 * route; refusals become zetStatusFaults in the WUS endpoint.
 */
export function afleverstatusHandlers(statuses: RecipientStatusService): Record<string, WusOperationHandler> {
  return {
    zetStatus: async ({ caller, payload }: WusCall) => zetStatusResponseXml(await statuses.zetStatus(caller, readZetStatusRequest(payload))),
  };
}
