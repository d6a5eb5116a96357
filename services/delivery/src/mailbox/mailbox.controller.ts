import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { FOUTCODE, Refusal } from '@poort/contracts';
import { Caller, RequireClient } from '@poort/nest-edge';
import type { ClientIdentity } from '@poort/pki';
import type { BerichtLijstResultaat } from '@poort/wus';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';

import { contentDisposition, headerText } from '../delivery/channels/header-encoding.js';
import { deliveryMessageId } from '../delivery/attempt-outcome.js';
import { berichtLijstResultaat, berichtResultaat } from './bericht-resultaat.js';
import type { FetchedBestand } from './mailbox-encryption.js';
import { MailboxService, type MailboxFilter } from './mailbox.service.js';

/** An xs:dateTime as the koppelvlak has it (ISO 8601 with a zone offset), or an xs:date; nothing looser. */
const DateTime = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).transform((value) => new Date(value));

/** The query parameters of the mailbox, with the koppelvlak's limits. */
const MailboxParameters = z
  .object({
    nieuw: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
    berichtsoort: z.string().min(1).max(80).optional(),
    /** identiteitBelanghebbende: nummer, with its type (default: any type). */
    belanghebbende: z.string().min(1).max(35).optional(),
    belanghebbendeType: z.string().min(1).max(20).optional(),
    tijdstempelVanaf: DateTime.optional(),
    tijdstempelTot: DateTime.optional(),
  })
  .strict();

const Kenmerk = z.string().min(1).max(40);

/**
 * A pull recipient's mailbox over REST, mirroring the OphaalService: the caller sees the mailbox of its client
 * certificate's OIN. `nieuw=true`: only what this certificate has not fetched before. Fetching a message's content
 * (/berichten, /berichten/{kenmerk}) is its delivery; listing it (/lijst) is not. Each call answers at most
 * MAILBOX_LIMITS (mailbox.service.ts) and the caller asks again for the rest. Refusals become HTTP answers in the
 * error filter (invalid parameters 400, an unknown kenmerk 404).
 */
@Controller('api/v1/mailbox')
export class MailboxController {
  constructor(private readonly mailbox: MailboxService) {}

  /**
   * getBerichten / getNieuweBerichten: the messages with their content and attachments (base64), as BerichtResultaat.
   * For a recipient that wants encryption each file is a compact JWE: mimeType application/jose, its own MIME type in
   * oorspronkelijkMimeType (and in the JWE's cty).
   */
  @Get('berichten')
  @RequireClient()
  async berichten(@Caller() caller: ClientIdentity, @Query() query: Record<string, string>): Promise<unknown[]> {
    const fetched = await this.mailbox.fetch(caller, filterOf(query), 'jwe');
    return fetched.map((bericht) => ({
      ...berichtResultaat(bericht),
      berichtInhoud: bestandJson(bericht.berichtInhoud),
      berichtBijlagen: bericht.berichtBijlagen.map(bestandJson),
    }));
  }

  /**
   * getBerichtenKenmerk: the content of one message as it is, the envelope in headers (as a REST push has them).
   * Encrypted: the JWE as application/jose, the content's own type in x-poort-content-type (as a REST push).
   */
  @Get('berichten/:kenmerk')
  @RequireClient()
  async bericht(@Caller() caller: ClientIdentity, @Param('kenmerk') kenmerk: string, @Res() reply: FastifyReply): Promise<void> {
    const parsed = Kenmerk.safeParse(kenmerk);
    if (!parsed.success) throw new Refusal(FOUTCODE.ophaalverzoekOngeldig, 'invalid', 'kenmerk heeft 1 tot 40 tekens');
    const [first] = await this.mailbox.fetch(caller, { kenmerk: parsed.data, nieuw: false }, 'jwe');
    if (!first) throw new Refusal(FOUTCODE.ophaalverzoekOngeldig, 'not-found', `geen bericht met kenmerk ${parsed.data} voor ${caller.oin}`);
    const { envelope, recipientId } = first.entry;
    const { berichtInhoud } = first;
    await reply
      .header('content-type', berichtInhoud.mimeType)
      .headers(berichtInhoud.plainMimeType ? { 'x-poort-content-type': berichtInhoud.plainMimeType } : {})
      .header('content-disposition', contentDisposition(berichtInhoud.bestandsnaam))
      .header('x-poort-message-id', deliveryMessageId(envelope.kenmerk, recipientId))
      .header('x-poort-kenmerk', envelope.kenmerk)
      .header('x-poort-berichtsoort', envelope.berichtsoort)
      .header('x-poort-afzender-oin', envelope.sender.oin)
      .header('x-poort-tijdstempel-aangeleverd', envelope.tijdstempelAangeleverd)
      .header('x-poort-content-sha256', first.inhoud.sha256)
      .header('x-poort-bijlagen', String(first.berichtBijlagen.length))
      .headers(envelope.aanleverkenmerk ? { 'x-poort-aanleverkenmerk': headerText(envelope.aanleverkenmerk) } : {})
      .send(berichtInhoud.inhoud);
  }

  /** getBerichtenLijst / getNieuweBerichtenLijst: berichtsoort, identiteitBelanghebbende and kenmerk of each message. */
  @Get('lijst')
  @RequireClient()
  async lijst(@Caller() caller: ClientIdentity, @Query() query: Record<string, string>): Promise<BerichtLijstResultaat[]> {
    return (await this.mailbox.list(caller, filterOf(query))).map(berichtLijstResultaat);
  }
}

/** A file in the JSON answer: base64, and when encrypted the file's own MIME type beside the JWE's. */
function bestandJson({ mimeType, bestandsnaam, inhoud, plainMimeType }: FetchedBestand): Record<string, string> {
  return { mimeType, bestandsnaam, inhoud: inhoud.toString('base64'), ...(plainMimeType ? { oorspronkelijkMimeType: plainMimeType } : {}) };
}

function filterOf(query: Record<string, string>): MailboxFilter {
  const parsed = MailboxParameters.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Refusal(FOUTCODE.ophaalverzoekOngeldig, 'invalid', `ongeldige parameter ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`.trim());
  }
  const { nieuw, berichtsoort, belanghebbende, belanghebbendeType, tijdstempelVanaf, tijdstempelTot } = parsed.data;
  if (belanghebbendeType !== undefined && belanghebbende === undefined) {
    throw new Refusal(FOUTCODE.ophaalverzoekOngeldig, 'invalid', 'belanghebbendeType zonder belanghebbende');
  }
  return {
    nieuw,
    ...(berichtsoort === undefined ? {} : { berichtsoort }),
    ...(belanghebbende === undefined ? {} : { belanghebbende: { nummer: belanghebbende, ...(belanghebbendeType ? { type: belanghebbendeType } : {}) } }),
    ...(tijdstempelVanaf === undefined ? {} : { vanaf: tijdstempelVanaf }),
    ...(tijdstempelTot === undefined ? {} : { tot: tijdstempelTot }),
  };
}
