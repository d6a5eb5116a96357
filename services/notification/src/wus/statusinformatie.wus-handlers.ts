import {
  berichtsoortenResponseXml,
  processenResponseXml,
  readBerichtsoortenRequest,
  readNieuweStatussenRequest,
  readProcessenRequest,
  readStatussenProcesRequest,
  statusListResponseXml,
  type TimeWindow as KoppelvlakWindow,
  type WusCall,
  type WusOperationHandler,
} from '@poort/wus';

import type { TimeWindow } from '../status/status-history.repository.js';
import type { StatusInformationService } from '../status/status-information.service.js';

/**
 * The statusinformatieservice over WUS: each operation reads its koppelvlak request, asks the same use case as the
 * REST status API and writes the koppelvlak response; refusals become SOAP faults in the WUS endpoint.
 * autorisatieAdres is accepted and not used: Poort has no Authorisation Service Provider, so nobody can ask for
 * another sender's processes.
 */
export function statusinformatieHandlers(statuses: StatusInformationService): Record<string, WusOperationHandler> {
  return {
    getStatussenProces: async ({ caller, payload }: WusCall) => {
      const request = readStatussenProcesRequest(payload);
      return statusListResponseXml('getStatussenProces', await statuses.statussenProces(caller, request.kenmerk, window(request)));
    },
    getNieuweStatussenProces: async ({ caller, payload }: WusCall) => {
      const request = readStatussenProcesRequest(payload);
      return statusListResponseXml('getNieuweStatussenProces', await statuses.nieuweStatussenProces(caller, request.kenmerk, window(request)));
    },
    getNieuweStatussen: async ({ caller, payload }: WusCall) => {
      const request = readNieuweStatussenRequest(payload);
      const filter = { berichtsoort: request.berichtsoort, belanghebbende: request.identiteitBelanghebbende };
      return statusListResponseXml('getNieuweStatussen', await statuses.nieuweStatussen(caller, filter, window(request)));
    },
    getProcessen: async ({ caller, payload }: WusCall) => {
      const request = readProcessenRequest(payload);
      return processenResponseXml(await statuses.processen(caller, { berichtsoort: request.berichtsoort, belanghebbende: request.identiteitBelanghebbende }));
    },
    getBerichtsoorten: async ({ caller, payload }: WusCall) => {
      const request = readBerichtsoortenRequest(payload);
      return berichtsoortenResponseXml(await statuses.berichtsoorten(caller, request.identiteitBelanghebbende));
    },
  };
}

function window(request: KoppelvlakWindow): TimeWindow {
  return {
    ...(request.tijdstempelVanaf ? { vanaf: request.tijdstempelVanaf } : {}),
    ...(request.tijdstempelTot ? { tot: request.tijdstempelTot } : {}),
  };
}
