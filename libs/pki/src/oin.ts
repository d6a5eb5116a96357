/**
 * OIN (Organisatie-identificatienummer): 20 digits, `<8-digit prefix><number><suffix>`, carried whole in the
 * subject serialNumber of a PKIoverheid certificate (domain.md 3.4).
 */

declare const oinBrand: unique symbol;
export type Oin = string & { readonly [oinBrand]: true };

export const OIN_PREFIXES = {
  '00000001': 'RSIN (Handelsregister)',
  '00000002': 'Fi-number',
  '00000003': 'KvK number',
  '00000004': 'subOIN',
  '00000005': 'reserved',
  '00000006': 'Logius-issued',
  '00000007': 'BRIN (education)',
  '00000008': 'foreign organisation',
  '00000009': 'UZI (healthcare)',
  '00000099': 'test OIN',
} as const;

export type OinPrefix = keyof typeof OIN_PREFIXES;

export type OinErrorCode = 'OIN_NOT_A_STRING' | 'OIN_WRONG_LENGTH' | 'OIN_NOT_DIGITS' | 'OIN_UNKNOWN_PREFIX';

export class OinError extends Error {
  override readonly name = 'OinError';

  constructor(
    readonly code: OinErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function isKnownPrefix(prefix: string): prefix is OinPrefix {
  return Object.hasOwn(OIN_PREFIXES, prefix);
}

/** Parses an OIN exactly as written: no trimming, no padding (leading zeros are part of it). */
export function parseOin(value: unknown): Oin {
  if (typeof value !== 'string') {
    throw new OinError('OIN_NOT_A_STRING', `an OIN must be a string, got ${typeof value}`);
  }
  const shown = value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}…` : JSON.stringify(value);
  if (value.length !== 20) {
    throw new OinError('OIN_WRONG_LENGTH', `an OIN is 20 digits, got ${value.length} characters: ${shown}`);
  }
  if (!/^[0-9]{20}$/.test(value)) {
    throw new OinError('OIN_NOT_DIGITS', `an OIN contains only the digits 0-9: ${shown}`);
  }
  const prefix = value.slice(0, 8);
  if (!isKnownPrefix(prefix)) {
    throw new OinError(
      'OIN_UNKNOWN_PREFIX',
      `OIN ${value} has unknown prefix ${prefix} (known: ${Object.keys(OIN_PREFIXES).join(', ')})`,
    );
  }
  return value as Oin;
}

export function isOin(value: unknown): value is Oin {
  try {
    parseOin(value);
    return true;
  } catch (error) {
    if (error instanceof OinError) return false;
    throw error;
  }
}

export function oinPrefix(oin: Oin): OinPrefix {
  return oin.slice(0, 8) as OinPrefix;
}

export function isTestOin(oin: Oin): boolean {
  return oinPrefix(oin) === '00000099';
}
