import type { AanleverResponse, Fout, Identiteit, ProcesResultaat, StatusResultaat } from './koppelvlak-types.js';
import { NS } from './namespaces.js';
import { element, leaf } from './xml-writer.js';

// Payload elements in the koppelvlak namespace (as the default namespace), children in XSD sequence order.

const root = (name: string, ...children: string[]) => `<${name} xmlns="${NS.kv}">${children.join('')}</${name}>`;

const identiteit = (name: string, value: Identiteit | undefined) =>
  value === undefined ? '' : element(name, leaf('nummer', value.nummer), leaf('type', value.type));

const fout = (name: string, value: Fout | undefined) =>
  value === undefined ? '' : element(name, leaf('foutcode', value.foutcode), leaf('foutbeschrijving', value.foutbeschrijving));

export function aanleverResponseXml(response: AanleverResponse): string {
  return root(
    'aanleverResponse',
    leaf('kenmerk', response.kenmerk),
    leaf('berichtsoort', response.berichtsoort),
    leaf('aanleverkenmerk', response.aanleverkenmerk),
    leaf('eerderAanleverkenmerk', response.eerderAanleverkenmerk),
    leaf('tijdstempelAangeleverd', response.tijdstempelAangeleverd),
    identiteit('identiteitBelanghebbende', response.identiteitBelanghebbende),
    leaf('rolBelanghebbende', response.rolBelanghebbende),
    identiteit('identiteitOntvanger', response.identiteitOntvanger),
    leaf('rolOntvanger', response.rolOntvanger),
    leaf('autorisatieAdres', response.autorisatieAdres),
    leaf('statuscode', response.statuscode),
    leaf('tijdstempelStatus', response.tijdstempelStatus),
    leaf('statusomschrijving', response.statusomschrijving),
    fout('statusFoutcode', response.statusFoutcode),
    leaf('statusdetails', response.statusdetails),
  );
}

const statusResultaat = (status: StatusResultaat) =>
  element(
    'StatusResultaat',
    leaf('kenmerk', status.kenmerk),
    identiteit('identiteitBelanghebbende', status.identiteitBelanghebbende),
    leaf('statuscode', status.statuscode),
    leaf('tijdstempelStatus', status.tijdstempelStatus),
    leaf('statusomschrijving', status.statusomschrijving),
    fout('statusFoutcode', status.statusFoutcode),
    leaf('statusdetails', status.statusdetails),
  );

export type StatusListOperation = 'getStatussenProces' | 'getNieuweStatussenProces' | 'getNieuweStatussen';

/** getStatussenProcesResponse, getNieuweStatussenProcesResponse, getNieuweStatussenResponse. */
export function statusListResponseXml(operation: StatusListOperation, statuses: readonly StatusResultaat[]): string {
  return root(`${operation}Response`, element(`${operation}Return`, ...statuses.map(statusResultaat)));
}

export function processenResponseXml(processen: readonly ProcesResultaat[]): string {
  return root(
    'getProcessenResponse',
    element(
      'getProcessenReturn',
      ...processen.map((proces) =>
        element(
          'ProcesResultaat',
          leaf('kenmerk', proces.kenmerk),
          leaf('berichtsoort', proces.berichtsoort),
          identiteit('identiteitBelanghebbende', proces.identiteitBelanghebbende),
          identiteit('identiteitOntvanger', proces.identiteitOntvanger),
        ),
      ),
    ),
  );
}

export function berichtsoortenResponseXml(berichtsoorten: readonly string[]): string {
  return root('getBerichtsoortenResponse', element('getBerichtsoortenReturn', ...berichtsoorten.map((soort) => leaf('berichtsoort', soort))));
}

/** The fault detail element (aanleverFault, statusinformatieFault) of type foutType. */
export function faultDetailXml(name: string, value: Fout): string {
  return root(name, leaf('foutcode', value.foutcode), leaf('foutbeschrijving', value.foutbeschrijving));
}

export function zetStatusResponseXml(response: { readonly kenmerk: string; readonly statuscode: string }): string {
  return root('zetStatusResponse', leaf('kenmerk', response.kenmerk), leaf('statuscode', response.statuscode));
}
