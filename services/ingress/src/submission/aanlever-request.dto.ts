import { z } from 'zod';

const Identiteit = z.strictObject({ nummer: z.string().min(1).max(35), type: z.string().min(1).max(20) });

// A flat character class and a length check: a grouped base64 pattern backtracks itself into a stack
// overflow on 20 MiB of content.
const BASE64_CHARACTERS = /^[A-Za-z0-9+/]*={0,2}$/;
const isBase64 = (text: string): boolean => text.length % 4 === 0 && BASE64_CHARACTERS.test(text);

const Bestand = z.strictObject({
  mimeType: z.string().min(1).max(255),
  bestandsnaam: z.string().min(1).max(80),
  /** base64Binary, as in the koppelvlak; at most 20 MiB decoded. */
  inhoud: z.string().min(1).refine(isBase64, 'inhoud is not valid base64'),
});

/** The REST form of Digipoort's aanleverRequest (koppelvlak 1.2), field for field. */
export const AanleverRequest = z.strictObject({
  kenmerk: z.string().max(40).optional(),
  berichtsoort: z.string().min(1).max(80),
  aanleverkenmerk: z.string().max(40).optional(),
  eerderAanleverkenmerk: z.string().max(40).optional(),
  identiteitBelanghebbende: Identiteit,
  rolBelanghebbende: z.string().min(1).max(40),
  identiteitOntvanger: Identiteit.optional(),
  rolOntvanger: z.string().max(40).optional(),
  berichtInhoud: Bestand,
  berichtBijlagen: z.array(Bestand).max(100).optional(),
  autorisatieAdres: z.string().max(255).optional(),
});
export type AanleverRequest = z.infer<typeof AanleverRequest>;
