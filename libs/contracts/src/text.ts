// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Text a sender gives that Poort stores, compares and forwards: well-formed Unicode (no lone surrogates, which
 * Postgres cannot store) and no control characters (C0, DEL, C1; NUL included, which Postgres cannot store either,
 * and CR/LF, which would break a header). Input that is not plain text is refused at the edge, never altered.
 */
export function plainTextProblem(value: string): PlainTextProblem | undefined {
  if (!value.isWellFormed()) return 'lone-surrogate';
  if (CONTROL_CHARACTERS.test(value)) return 'control-character';
  return undefined;
}

export type PlainTextProblem = 'lone-surrogate' | 'control-character';

/** The problem as the koppelvlak's refusals say it (in Dutch, as Digipoort's texts are). */
export const PLAIN_TEXT_PROBLEM_NL: Readonly<Record<PlainTextProblem, string>> = {
  'lone-surrogate': 'bevat een ongeldig Unicode-teken (een losse surrogaat)',
  'control-character': 'bevat een stuurteken',
};

/** The first and last moments Poort takes in a time window: Postgres' timestamps reach further, people do not. */
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

export function isPlausibleMoment(date: Date): boolean {
  const time = date.getTime();
  return Number.isFinite(time) && time >= EARLIEST && time <= LATEST;
}
