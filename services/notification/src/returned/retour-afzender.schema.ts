import { Foutmelding } from '@poort/contracts';
import { z } from 'zod';

import type { RetourAfzender } from './returned-messages.repository.js';

/** A retour-afzender notice (RetourAfzender) as a schema, for the OpenAPI document. */
export const RetourAfzenderSchema = z
  .strictObject({
    kenmerk: z.string(),
    berichtsoort: z.string(),
    aanleverkenmerk: z.string().optional(),
    ontvanger: z.string().describe('the recipient that could not be reached'),
    reden: Foutmelding.strict(),
    tijdstempel: z.iso.datetime({ offset: true }),
  })
  .meta({ title: 'RetourAfzender' });

// The schema and the interface the service returns may not drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _sameAsRepository: Same<z.infer<typeof RetourAfzenderSchema>, RetourAfzender> = true;
void _sameAsRepository;
