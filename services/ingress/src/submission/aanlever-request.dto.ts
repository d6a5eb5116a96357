import { PLAIN_TEXT_PROBLEM_NL, plainTextProblem } from '@poort/contracts';
import { OinError, parseOin } from '@poort/pki';
import { z } from 'zod';

/** A sender's text: plain text (see plainTextProblem), kept exactly as sent or refused, never altered. */
const text = (max: number, min = 0) =>
  (min > 0 ? z.string().min(min) : z.string())
    .max(max)
    .superRefine((value, context) => {
      const problem = plainTextProblem(value);
      if (problem) context.addIssue({ code: 'custom', message: PLAIN_TEXT_PROBLEM_NL[problem] });
    });

/** Identity types whose number has a form Poort can check; other types (Fi, LHnr, …) are checked for length only. */
const NUMBER_FORMS: Readonly<Record<string, (nummer: string) => string | undefined>> = {
  OIN: (nummer) => {
    try {
      parseOin(nummer);
      return undefined;
    } catch (error) {
      if (error instanceof OinError) return error.message;
      throw error;
    }
  },
  KVK: (nummer) => (/^\d{8}$/.test(nummer) ? undefined : 'een KvK-nummer is 8 cijfers'),
  BSN: (nummer) => (isElfproef(nummer) ? undefined : 'een BSN is 9 cijfers en voldoet aan de elfproef'),
  RSIN: (nummer) => (isElfproef(nummer) ? undefined : 'een RSIN is 9 cijfers en voldoet aan de elfproef'),
};

/** The "elfproef" of BSN and RSIN: 9 digits whose weighted sum (9…2, and -1 for the last) is divisible by 11. */
function isElfproef(nummer: string): boolean {
  if (!/^\d{9}$/.test(nummer)) return false;
  const sum = [...nummer].reduce((total, digit, index) => total + Number(digit) * (index === 8 ? -1 : 9 - index), 0);
  return sum % 11 === 0 && sum !== 0;
}

const Identiteit = z
  .strictObject({ nummer: text(35, 1), type: text(20, 1) })
  .superRefine((identiteit, context) => {
    const problem = NUMBER_FORMS[identiteit.type.toUpperCase()]?.(identiteit.nummer);
    if (problem) context.addIssue({ code: 'custom', path: ['nummer'], message: `past niet bij type ${identiteit.type}: ${problem}` });
  });

// A flat character class and a length check: a grouped base64 pattern backtracks itself into a stack
// overflow on 20 MiB of content.
const BASE64_CHARACTERS = /^[A-Za-z0-9+/]*={0,2}$/;
const isBase64 = (value: string): boolean => value.length % 4 === 0 && BASE64_CHARACTERS.test(value);

const Bestand = z.strictObject({
  mimeType: text(255, 1),
  bestandsnaam: text(80, 1),
  /** base64Binary, as in the koppelvlak; at most 20 MiB decoded. */
  inhoud: z.string().min(1).refine(isBase64, 'inhoud is geen geldige base64').meta({ contentEncoding: 'base64' }),
});

/** anyURI of at most 255 characters; Poort holds it to an absolute http(s) URL, as the AuSP endpoints Digipoort registers are. */
const AutorisatieAdres = text(255).refine((value) => {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:';
}, 'is geen absolute http(s)-URL');

/** The REST form of Digipoort's aanleverRequest (koppelvlak 1.2), field for field. */
export const AanleverRequest = z.strictObject({
  kenmerk: text(40).optional(),
  berichtsoort: text(80, 1),
  aanleverkenmerk: text(40).optional(),
  eerderAanleverkenmerk: text(40).optional(),
  identiteitBelanghebbende: Identiteit,
  rolBelanghebbende: text(40, 1),
  identiteitOntvanger: Identiteit.optional(),
  rolOntvanger: text(40).optional(),
  berichtInhoud: Bestand,
  berichtBijlagen: z.array(Bestand).max(100).optional(),
  autorisatieAdres: AutorisatieAdres.optional(),
});
export type AanleverRequest = z.infer<typeof AanleverRequest>;

/**
 * The same request read as a stream (streamed-aanlevering.ts): each inhoud went to the payload store as it was
 * decoded, and stands here as the empty marker; its size and SHA-256 come with the reader's files.
 */
export const STREAMED_INHOUD = '';
const StreamedBestand = Bestand.extend({ inhoud: z.literal(STREAMED_INHOUD) });
export const StreamedAanleverRequest = AanleverRequest.extend({
  berichtInhoud: StreamedBestand,
  berichtBijlagen: z.array(StreamedBestand).max(100).optional(),
});
export type StreamedAanleverRequest = z.infer<typeof StreamedAanleverRequest>;
