/**
 * Digipoort status codes (domain.md 1.8). x00/x01 = step succeeded, x10/x11 = functional failure (final),
 * x20/x21 = technical problem (may still recover).
 */
export const STATUS = {
  ontvangen: '100',
  aangebodenVoorVerwerking: '110',
  geautoriseerd: '200',
  nietGeautoriseerd: '210',
  technischeFoutAutorisatie: '230',
  gevalideerd: '301',
  validatieMislukt: '311',
  technischeFoutValidatie: '321',
  afleveringBezig: '405',
  afgeleverd: '400',
  afleveringMislukt: '410',
  technischeFoutAflevering: '420',
  /** The recipient's own processing result, reported back with zetStatus. */
  verwerktDoorOntvanger: '500',
  geweigerdDoorOntvanger: '510',
} as const;

export type StatusCode = (typeof STATUS)[keyof typeof STATUS];

export type StatusClass = 'ok' | 'error' | 'warning';

interface StatusDefinition {
  /** statusomschrijving: at most 80 characters in the koppelvlak XSD. */
  readonly omschrijving: string;
  readonly final: boolean;
  readonly class: StatusClass;
}

export const STATUS_DEFINITIONS: Readonly<Record<StatusCode, StatusDefinition>> = {
  '100': { omschrijving: 'Aanleveren gelukt', final: false, class: 'ok' },
  '110': { omschrijving: 'Aanleverproces aangeboden voor verwerking', final: false, class: 'ok' },
  '200': { omschrijving: 'Authenticatie en autorisatie geslaagd', final: false, class: 'ok' },
  '210': { omschrijving: 'Authenticatie of autorisatie mislukt', final: true, class: 'error' },
  '230': { omschrijving: 'Technische fout bij authenticatie en autorisatie', final: false, class: 'warning' },
  '301': { omschrijving: 'Validatie geslaagd', final: false, class: 'ok' },
  '311': { omschrijving: 'Validatie mislukt', final: true, class: 'error' },
  '321': { omschrijving: 'Technische fout bij validatie', final: false, class: 'warning' },
  '405': { omschrijving: 'Afleveren aan uitvragende partij bezig', final: false, class: 'ok' },
  '400': { omschrijving: 'Afleveren aan uitvragende partij gelukt', final: false, class: 'ok' },
  '410': { omschrijving: 'Afleveren aan uitvragende partij mislukt', final: true, class: 'error' },
  '420': { omschrijving: 'Technische fout bij afleveren aan uitvragende partij', final: false, class: 'warning' },
  '500': { omschrijving: 'Validatie bij uitvragende partij geslaagd', final: true, class: 'ok' },
  '510': { omschrijving: 'Validatie bij uitvragende partij mislukt', final: true, class: 'error' },
};

/** Digipoort foutcodes (domain.md 1.5) that Poort emits. */
export const FOUTCODE = {
  interfaceSpecificatie: 'ALS100',
  technischeFoutAanleveren: 'ALS400',
  validatieMislukt: 'VAS500',
  technischeFoutValidatie: 'VAS400',
  afleverfout: 'AFS400',
  /** A request to the afleverservice family (also zetStatus, which recipients call) that does not match the interface. */
  afleververzoekOngeldig: 'AFS100',
  ontvangerWeigert: 'AFO100',
  nietAfleverbaar: 'AFS600',
  statusverzoekOngeldig: 'STS100',
  // Digipoort publishes no technical foutcode for the statusinformatieservice; STS400 follows ALS400 and AFS400.
  technischeFoutStatusinformatie: 'STS400',
  // Digipoort publishes no foutcodes for the OphaalService; OPS100 and OPS400 follow STS100 and STS400.
  ophaalverzoekOngeldig: 'OPS100',
  technischeFoutOphaal: 'OPS400',
} as const;

export type Foutcode = (typeof FOUTCODE)[keyof typeof FOUTCODE];

/** Poort's own foutcodes (AREA_REASON, see refusal.ts), for what Digipoort has no code for. */
export const POORT_FOUTCODE = {
  autorisatieTechnisch: 'AUTHORIZATION_FAILED',
  transformatieTechnisch: 'TRANSFORM_FAILED',
  routeringTechnisch: 'ROUTING_FAILED',
  vastgelopen: 'PROCESSING_STUCK',
} as const;

/**
 * What a sender sees when its message's event cannot be handled by a stage even after the stage's retries (the
 * event is dead-lettered): a final status of the step's technical-problem code with a foutcode, and the reason in
 * the description. An operator's re-drive after a fix lets the message go on from there.
 */
export const DEAD_LETTER_STATUS = {
  authorization: { code: STATUS.technischeFoutAutorisatie, foutcode: POORT_FOUTCODE.autorisatieTechnisch },
  validation: { code: STATUS.technischeFoutValidatie, foutcode: FOUTCODE.technischeFoutValidatie },
  transformation: { code: STATUS.technischeFoutValidatie, foutcode: POORT_FOUTCODE.transformatieTechnisch },
  routing: { code: STATUS.technischeFoutAflevering, foutcode: POORT_FOUTCODE.routeringTechnisch },
  delivery: { code: STATUS.technischeFoutAflevering, foutcode: FOUTCODE.afleverfout },
} as const satisfies Record<string, { code: StatusCode; foutcode: string }>;

/** Whether Poort expects nothing more of a message after this status: a final status, or delivered (400). */
export function endsProcessing(statuscode: string, final: boolean): boolean {
  return final || statuscode === STATUS.afgeleverd;
}
