import { Foutmelding, Identiteit, type StatusResultaat } from '@poort/contracts';
import { z } from 'zod';

/** StatusResultaat (in @poort/contracts) as a schema, for the OpenAPI document. */
export const StatusResultaatSchema = z
  .strictObject({
    kenmerk: z.string(),
    identiteitBelanghebbende: Identiteit.strict(),
    statuscode: z.string(),
    tijdstempelStatus: z.iso.datetime({ offset: true }),
    statusomschrijving: z.string(),
    statusFoutcode: Foutmelding.strict().optional(),
    statusdetails: z.string().optional(),
  })
  .meta({ title: 'StatusResultaat' });

// The schema and the interface the service returns may not drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _sameAsContract: Same<z.infer<typeof StatusResultaatSchema>, StatusResultaat> = true;
void _sameAsContract;
