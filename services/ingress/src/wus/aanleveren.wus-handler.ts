import { FOUTCODE } from '@poort/contracts';
import { WusFault, aanleverResponseXml, readAanleverRequest, type WusCall } from '@poort/wus';

import { AanleverRequest } from '../submission/aanlever-request.dto.js';
import type { InFlightLimiter } from '../submission/in-flight-limiter.js';
import { SubmissionRefused } from '../submission/submission-errors.js';
import type { SubmissionService } from '../submission/submission.service.js';

/**
 * aanleveren over WUS: the koppelvlak request becomes the same AanleverRequest the REST route takes, and goes to
 * the same SubmissionService. Attachments (berichtBijlagen) are stored as payloads of their own, as over REST.
 */
export function aanleverenHandler(submissions: SubmissionService, limiter: InFlightLimiter) {
  return async (call: WusCall): Promise<string> => {
    const parsed = AanleverRequest.safeParse(readAanleverRequest(call.payload));
    if (!parsed.success) {
      throw new WusFault('Client', FOUTCODE.interfaceSpecificatie, `Het verzoek voldoet niet aan de koppelvlakspecificaties: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
    }
    if (!limiter.tryAcquire()) throw new WusFault('Server', FOUTCODE.technischeFoutAanleveren, 'Poort is overbelast; probeer het later opnieuw');
    try {
      return aanleverResponseXml(await submissions.submit(call.caller, parsed.data));
    } catch (error) {
      if (error instanceof SubmissionRefused) {
        throw new WusFault(error.httpStatus >= 500 ? 'Server' : 'Client', error.foutcode, error.message);
      }
      throw error;
    } finally {
      limiter.release();
    }
  };
}
