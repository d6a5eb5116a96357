import {
  STATUSINFORMATIE_SERVICE,
  WusFault,
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

import type { StatusHistoryRepository, TimeWindow } from '../status/status-history.repository.js';

/**
 * The statusinformatieservice over WUS, on the same repository as the REST status API. A sender sees only what it
 * submitted (its OIN). autorisatieAdres is accepted and not used: Poort has no Authorisation Service Provider, so
 * nobody can ask for another sender's processes.
 */
export function statusinformatieHandlers(history: StatusHistoryRepository): Record<string, WusOperationHandler> {
  return {
    getStatussenProces: async ({ caller, payload }: WusCall) => {
      const request = readStatussenProcesRequest(payload);
      const statuses = await history.list(caller.oin, request.kenmerk, window(request));
      if (statuses.length === 0 && !(await history.isKnownTo(caller.oin, request.kenmerk))) throw unknownProcess(request.kenmerk);
      return statusListResponseXml('getStatussenProces', statuses);
    },
    getNieuweStatussenProces: async ({ caller, payload }: WusCall) => {
      const request = readStatussenProcesRequest(payload);
      if (!(await history.isKnownTo(caller.oin, request.kenmerk))) throw unknownProcess(request.kenmerk);
      return statusListResponseXml('getNieuweStatussenProces', await history.fetchNew(caller.oin, caller.fingerprintSha256, request.kenmerk, window(request)));
    },
    getNieuweStatussen: async ({ caller, payload }: WusCall) => {
      const request = readNieuweStatussenRequest(payload);
      const filter = { berichtsoort: request.berichtsoort, belanghebbende: request.identiteitBelanghebbende };
      return statusListResponseXml('getNieuweStatussen', await history.fetchNewFor(caller.oin, caller.fingerprintSha256, filter, window(request)));
    },
    getProcessen: async ({ caller, payload }: WusCall) => {
      const request = readProcessenRequest(payload);
      return processenResponseXml(await history.processen(caller.oin, { berichtsoort: request.berichtsoort, belanghebbende: request.identiteitBelanghebbende }));
    },
    getBerichtsoorten: async ({ caller, payload }: WusCall) => {
      const request = readBerichtsoortenRequest(payload);
      return berichtsoortenResponseXml(await history.berichtsoorten(caller.oin, request.identiteitBelanghebbende));
    },
  };
}

function window(request: KoppelvlakWindow): TimeWindow {
  return {
    ...(request.tijdstempelVanaf ? { vanaf: request.tijdstempelVanaf } : {}),
    ...(request.tijdstempelTot ? { tot: request.tijdstempelTot } : {}),
  };
}

/** Someone else's process and a process that does not exist look the same: nothing leaks. */
function unknownProcess(kenmerk: string): WusFault {
  return new WusFault('Client', STATUSINFORMATIE_SERVICE.interfaceFoutcode, `Er is geen proces met kenmerk ${kenmerk} voor deze aanleveraar`);
}
