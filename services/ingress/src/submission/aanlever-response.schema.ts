import { Envelope, Foutmelding, type AanleverResponse } from '@poort/contracts';
import { z } from 'zod';

/**
 * The aanleverResponse (AanleverResponse in @poort/contracts) as a schema, for the OpenAPI document: the envelope's
 * koppelvlak fields as the sender gave them, with the kenmerk and the first status.
 */
export const AanleverResponseSchema = Envelope.pick({
  kenmerk: true,
  berichtsoort: true,
  aanleverkenmerk: true,
  eerderAanleverkenmerk: true,
  tijdstempelAangeleverd: true,
  identiteitBelanghebbende: true,
  rolBelanghebbende: true,
  identiteitOntvanger: true,
  rolOntvanger: true,
  autorisatieAdres: true,
})
  .extend({
    statuscode: z.string().optional(),
    tijdstempelStatus: z.iso.datetime({ offset: true }).optional(),
    statusomschrijving: z.string().optional(),
    statusFoutcode: Foutmelding.optional(),
    statusdetails: z.string().optional(),
  })
  .strict()
  .meta({ title: 'AanleverResponse' });

// The schema and the interface the service returns may not drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _sameAsContract: Same<z.infer<typeof AanleverResponseSchema>, AanleverResponse> = true;
void _sameAsContract;
