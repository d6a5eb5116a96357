/**
 * Digipoort status codes (domain.md 1.8). x00/x01 = step succeeded, x10/x11 = functional failure (final),
 * x20/x21 = technical problem (may still recover).
 */
export const STATUS = {
  ontvangen: '100',
  aangebodenVoorVerwerking: '110',
  geautoriseerd: '200',
  nietGeautoriseerd: '210',
  gevalideerd: '301',
  validatieMislukt: '311',
  technischeFoutValidatie: '321',
  afleveringBezig: '405',
  afgeleverd: '400',
  afleveringMislukt: '410',
  technischeFoutAflevering: '420',
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
  '301': { omschrijving: 'Validatie geslaagd', final: false, class: 'ok' },
  '311': { omschrijving: 'Validatie mislukt', final: true, class: 'error' },
  '321': { omschrijving: 'Technische fout bij validatie', final: false, class: 'warning' },
  '405': { omschrijving: 'Afleveren aan uitvragende partij bezig', final: false, class: 'ok' },
  '400': { omschrijving: 'Afleveren aan uitvragende partij gelukt', final: false, class: 'ok' },
  '410': { omschrijving: 'Afleveren aan uitvragende partij mislukt', final: true, class: 'error' },
  '420': { omschrijving: 'Technische fout bij afleveren aan uitvragende partij', final: false, class: 'warning' },
};

/** Digipoort foutcodes (domain.md 1.5) that Poort emits. */
export const FOUTCODE = {
  interfaceSpecificatie: 'ALS100',
  technischeFoutAanleveren: 'ALS400',
  validatieMislukt: 'VAS500',
  technischeFoutValidatie: 'VAS400',
  afleverfout: 'AFS400',
  ontvangerWeigert: 'AFO100',
  nietAfleverbaar: 'AFS600',
  statusverzoekOngeldig: 'STS100',
  // Digipoort publishes no technical foutcode for the statusinformatieservice; STS400 follows ALS400 and AFS400.
  technischeFoutStatusinformatie: 'STS400',
} as const;

export type Foutcode = (typeof FOUTCODE)[keyof typeof FOUTCODE];
