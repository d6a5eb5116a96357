import {
  berichtenLijstResponseXml,
  berichtenResponseXml,
  readBerichtenKenmerkRequest,
  readBerichtenLijstRequest,
  readBerichtenRequest,
  type BerichtenLijstOperation,
  type BerichtenOperation,
  type TimeWindow,
  type WusCall,
  type WusOperationHandler,
} from '@poort/wus';

import { berichtLijstResultaat, berichtResultaat } from './bericht-resultaat.js';
import type { MailboxFilter, MailboxService } from './mailbox.service.js';

/**
 * The OphaalService over WUS: each operation reads its koppelvlak request, asks the same use case as the REST
 * mailbox and writes the koppelvlak response; refusals become ophaalFaults in the WUS endpoint. autorisatieAdres is
 * accepted and not used: Poort has no Authorisation Service Provider, so a caller sees only its own OIN's mailbox.
 * A recipient that wants encryption gets XML Encryption here.
 */
export function ophaalHandlers(mailbox: MailboxService): Record<string, WusOperationHandler> {
  const berichten = (operation: BerichtenOperation, nieuw: boolean): WusOperationHandler => async ({ caller, payload }: WusCall) => {
    const request = readBerichtenRequest(payload);
    const filter: MailboxFilter = { ...window(request), nieuw, belanghebbende: request.identiteitBelanghebbende, ...(request.berichtsoort ? { berichtsoort: request.berichtsoort } : {}) };
    return berichtenResponseXml(operation, (await mailbox.fetch(caller, filter, 'xmlenc')).map(berichtResultaat));
  };
  const kenmerk = (operation: BerichtenOperation, nieuw: boolean): WusOperationHandler => async ({ caller, payload }: WusCall) => {
    const request = readBerichtenKenmerkRequest(payload);
    return berichtenResponseXml(operation, (await mailbox.fetch(caller, { ...window(request), nieuw, kenmerk: request.kenmerk }, 'xmlenc')).map(berichtResultaat));
  };
  const lijst = (operation: BerichtenLijstOperation, nieuw: boolean): WusOperationHandler => async ({ caller, payload }: WusCall) => {
    const request = readBerichtenLijstRequest(payload);
    const filter: MailboxFilter = { ...window(request), nieuw, ...(request.berichtsoort ? { berichtsoort: request.berichtsoort } : {}) };
    return berichtenLijstResponseXml(operation, (await mailbox.list(caller, filter)).map(berichtLijstResultaat));
  };
  return {
    getBerichten: berichten('getBerichten', false),
    getNieuweBerichten: berichten('getNieuweBerichten', true),
    getBerichtenKenmerk: kenmerk('getBerichtenKenmerk', false),
    getNieuweBerichtenKenmerk: kenmerk('getNieuweBerichtenKenmerk', true),
    getBerichtenLijst: lijst('getBerichtenLijst', false),
    getNieuweBerichtenLijst: lijst('getNieuweBerichtenLijst', true),
  };
}

function window(request: TimeWindow): Pick<MailboxFilter, 'vanaf' | 'tot'> {
  return {
    ...(request.tijdstempelVanaf ? { vanaf: request.tijdstempelVanaf } : {}),
    ...(request.tijdstempelTot ? { tot: request.tijdstempelTot } : {}),
  };
}
