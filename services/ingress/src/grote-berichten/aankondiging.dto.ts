import { z } from 'zod';

import { AanleverRequest } from '../submission/aanlever-request.dto.js';

/** Digikoppeling Grote Berichten: a filename is at most 200 letters, digits, '.', '_' and '-'. */
const DIGIKOPPELING_FILENAME = /^[A-Za-z0-9._-]{1,200}$/;
/** The file becomes the message's berichtInhoud, whose bestandsnaam the koppelvlak holds to 80 characters. */
const KOPPELVLAK_FILENAME_MAX = 80;

/** The file to come, as the sender describes it; the upload is checked against it. */
export const AangekondigdBestand = z.strictObject({
  bestandsnaam: z
    .string()
    .regex(DIGIKOPPELING_FILENAME, 'een bestandsnaam is ten hoogste 200 letters, cijfers, punten, underscores en streepjes (Digikoppeling Grote Berichten)')
    .max(KOPPELVLAK_FILENAME_MAX, `de bestandsnaam wordt de bestandsnaam van berichtInhoud en is daarom ten hoogste ${KOPPELVLAK_FILENAME_MAX} tekens`),
  mimeType: AanleverRequest.shape.berichtInhoud.shape.mimeType,
  /** Bytes. */
  grootte: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  /** SHA-256 of the whole file, 64 hexadecimal characters (kept in lower case). */
  sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'sha256 is 64 hexadecimale tekens')
    .transform((hex) => hex.toLowerCase()),
});
export type AangekondigdBestand = z.infer<typeof AangekondigdBestand>;

/**
 * POST /api/v1/grote-berichten: the envelope of an aanleveren (the same fields, the same rules) with, instead of the
 * content in the request, the description of the file that will be uploaded.
 */
export const Aankondiging = AanleverRequest.omit({ berichtInhoud: true, berichtBijlagen: true })
  .extend({ bestand: AangekondigdBestand })
  .meta({ title: 'GrootBerichtAankondiging' });
export type Aankondiging = z.infer<typeof Aankondiging>;

const Range = z.object({ start: z.number().int().nonnegative(), end: z.number().int().nonnegative() }).meta({ description: 'bytes start to end, both included' });

/** GET {location}: where an upload is, and what is still missing so that an interrupted client sends only that. */
export const UploadState = z
  .object({
    uploadId: z.uuid(),
    location: z.string().meta({ description: 'the path to PUT the bytes to and GET this state from' }),
    status: z.enum(['open', 'voltooid', 'verlopen', 'mislukt']),
    grootte: z.number().int().positive(),
    verlooptOp: z.iso.datetime({ offset: true }),
    ontvangen: z.array(Range),
    ontbrekend: z.array(Range),
    kenmerk: z.string().optional().meta({ description: 'the message the completed upload became (status voltooid)' }),
    foutcode: z.string().optional().meta({ description: 'why the upload failed (status mislukt): CHECKSUM_ERROR or INCORRECT_FILE_SIZE' }),
  })
  .meta({ title: 'GrootBerichtUpload' });
export type UploadState = z.infer<typeof UploadState>;
