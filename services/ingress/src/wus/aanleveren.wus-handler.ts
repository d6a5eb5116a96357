import { aanleverResponseXml, readAanleverRequest, type WusCall, type WusOperationHandler } from '@poort/wus';

import type { SubmissionService } from '../submission/submission.service.js';

/**
 * aanleveren over WUS: the koppelvlak request goes to the same SubmissionService as the REST route; its refusals
 * become SOAP faults in the WUS endpoint. Attachments (berichtBijlagen) are stored as payloads of their own.
 */
export function aanleverenHandler(submissions: SubmissionService): WusOperationHandler {
  return async (call: WusCall) => aanleverResponseXml(await submissions.submit(call.caller, readAanleverRequest(call.payload)));
}
