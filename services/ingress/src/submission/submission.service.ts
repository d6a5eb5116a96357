import { randomUUID } from 'node:crypto';

import { FOUTCODE, Refusal, STATUS, STATUS_DEFINITIONS, type AanleverResponse, type Envelope } from '@poort/contracts';
import type { MessageCatalog, MessageType } from '@poort/message-types';
import type { PayloadStore } from '@poort/payload-store';
import type { UnitOfWork } from '@poort/pipeline';
import type { ClientIdentity } from '@poort/pki';
import { z } from 'zod';

import { AanleverRequest } from './aanlever-request.dto.js';
import type { MessagesRepository } from './messages.repository.js';
import { requestFingerprint } from './request-fingerprint.js';
import type { SubmissionAdmission } from './submission-admission.js';
import type { EarlierSubmission, SubmissionKey, SubmissionKeysRepository } from './submission-keys.repository.js';
import { SubmissionWriter, type StagedContent } from './submission-writer.js';

type Bestand = AanleverRequest['berichtInhoud'];

/**
 * Content in the request itself (REST, WUS, bulk) is at most 20 MiB, Digipoort's limit of berichtInhoud and the
 * threshold above which Digikoppeling requires Grote Berichten, whatever a message type allows there.
 */
export const IN_BAND_MAX_BYTES = 20 * 1024 * 1024;

/** An aanleveren's envelope fields without its files: what a Grote Berichten announcement carries beside its bestand. */
export type AanleverEnvelopeFields = Omit<AanleverRequest, 'berichtInhoud' | 'berichtBijlagen'>;

const refuse = (kind: Refusal['kind'], message: string, details?: unknown) => new Refusal(FOUTCODE.interfaceSpecificatie, kind, message, details);

export interface SubmitOptions {
  /** The REST Idempotency-Key header, already checked (see parseIdempotencyKey). WUS has none. */
  readonly idempotencyKey?: string;
}

/**
 * aanleveren: the one use case behind every submission channel (REST and WUS). It checks the request against the
 * koppelvlak and the message type, and stores content, message record and the first events in one transaction
 * (SubmissionWriter: shared with the submissions that arrive at the same time); only then is there a receipt with a
 * kenmerk. Every refusal is a Refusal with a Digipoort foutcode: ALS100 for the
 * request, ALS400 when Poort is busy (SubmissionAdmission: the chain is behind, or this process is full; asked before
 * the request is looked at, as it costs nothing). Nothing is stored for a refused submission.
 *
 * Safe resubmission: a submission with a key (its aanleverkenmerk, or on REST an Idempotency-Key) that an earlier
 * message of the same sender OIN claimed within the window answers with that message's receipt and stores nothing;
 * with other content (another request fingerprint) it is refused, so an accidental reuse is never silently taken
 * for a retry. Without either key a submission is never deduplicated.
 */
export class SubmissionService {
  private readonly writer: SubmissionWriter;

  constructor(
    unitOfWork: UnitOfWork,
    private readonly catalog: MessageCatalog,
    payloads: PayloadStore,
    private readonly messages: MessagesRepository,
    private readonly keys: SubmissionKeysRepository,
    private readonly admission: SubmissionAdmission,
  ) {
    this.writer = new SubmissionWriter(unitOfWork, payloads, messages, keys);
  }

  /** `request` is what the channel read: the JSON body, or the koppelvlak XML as an object. */
  async submit(sender: ClientIdentity, request: unknown, options: SubmitOptions = {}): Promise<AanleverResponse> {
    const release = this.admission.admit();
    try {
      const parsed = AanleverRequest.safeParse(request);
      if (!parsed.success) throw notKoppelvlak(parsed.error);
      return await this.accept(sender, parsed.data, submissionKeys(parsed.data, options));
    } finally {
      release();
    }
  }

  /** What is checked of an envelope before anything else: its message type exists, and it does not name a kenmerk. */
  messageTypeOf(request: Pick<AanleverEnvelopeFields, 'berichtsoort' | 'kenmerk'>): MessageType {
    const type = this.catalog.find(request.berichtsoort);
    if (!type) throw refuse('invalid', `berichtsoort ${request.berichtsoort} is onbekend`);
    if (request.kenmerk !== undefined) throw refuse('invalid', 'het kenmerk wordt door Poort toegekend en mag niet worden meegestuurd');
    return type;
  }

  /**
   * aanleveren of a content that is staged (a completed Grote Berichten upload): the same envelope, keys (its
   * aanleverkenmerk), events and receipt as any submission, the content written by `content` in the message's
   * transaction. `fingerprint` is the announcement's: the same aanleverkenmerk again is that message's receipt.
   */
  async submitStaged(sender: ClientIdentity, request: AanleverEnvelopeFields, fingerprint: string, content: StagedContent): Promise<AanleverResponse> {
    const type = this.messageTypeOf(request);
    const keys: SubmissionKey[] = request.aanleverkenmerk === undefined ? [] : [{ kind: 'aanleverkenmerk', value: request.aanleverkenmerk }];
    const receivedAt = new Date();
    const outcome = await this.writer.writeStaged({ sender, keys, fingerprint, receivedAt, envelope: envelopeOf(type, request, sender, receivedAt) }, content);
    return 'envelope' in outcome ? receipt(outcome.envelope) : this.resubmitted(outcome.earlier, fingerprint);
  }

  /** The receipt of an accepted message, again (undefined: no such message). */
  async receiptOf(kenmerk: string): Promise<AanleverResponse | undefined> {
    const envelope = await this.messages.find(kenmerk);
    return envelope && receipt(envelope);
  }

  private async accept(sender: ClientIdentity, request: AanleverRequest, keys: readonly SubmissionKey[]): Promise<AanleverResponse> {
    const type = this.messageTypeOf(request);
    const bijlagen = request.berichtBijlagen ?? [];
    if (bijlagen.length > type.attachments.maxCount) {
      throw refuse('invalid', `${type.berichtsoort} neemt ten hoogste ${type.attachments.maxCount} bijlagen aan, niet ${bijlagen.length}`);
    }
    checkFile(type.berichtsoort, request.berichtInhoud, inBand(type.content), 'inhoud');
    for (const bijlage of bijlagen) checkFile(type.berichtsoort, bijlage, type.attachments, 'bijlage');
    const files = [request.berichtInhoud, ...bijlagen];

    // Only a request that can be resubmitted needs its fingerprint: hashing 20 MiB is not free.
    const fingerprint = keys.length > 0 ? requestFingerprint(request) : '';
    const receivedAt = new Date();
    const outcome = await this.writer.write({
      sender,
      keys,
      fingerprint,
      receivedAt,
      envelope: envelopeOf(type, request, sender, receivedAt),
      files: files.map((file, index) => ({
        bytes: decoded(file, index === 0 ? inBand(type.content).maxBytes : type.attachments.maxBytes),
        meta: { mimeType: file.mimeType, bestandsnaam: file.bestandsnaam },
      })),
    });
    return 'envelope' in outcome ? receipt(outcome.envelope) : this.resubmitted(outcome.earlier, fingerprint);
  }

  /** A key an earlier message holds: the same request gets that message's receipt, another request is refused. */
  private async resubmitted(earlier: EarlierSubmission, fingerprint: string): Promise<AanleverResponse> {
    if (earlier.fingerprint !== fingerprint) throw keyAlreadyUsed(earlier.key, this.keys.windowMs);
    const envelope = await this.messages.find(earlier.kenmerk);
    // The key and its message commit together (and the key references the message), so this is a bug.
    if (!envelope) throw new Error(`submission key ${earlier.key.kind} refers to message ${earlier.kenmerk}, which does not exist`);
    return receipt(envelope);
  }
}

/** The envelope of a new message, without its content and attachments. */
function envelopeOf(type: MessageType, request: AanleverEnvelopeFields, sender: ClientIdentity, receivedAt: Date): Omit<Envelope, 'content' | 'attachments'> {
  return {
    kenmerk: randomUUID(),
    berichtsoort: type.berichtsoort,
    aanleverkenmerk: request.aanleverkenmerk,
    eerderAanleverkenmerk: request.eerderAanleverkenmerk,
    sender: { oin: sender.oin, certificateFingerprint: sender.fingerprintSha256 },
    identiteitBelanghebbende: request.identiteitBelanghebbende,
    rolBelanghebbende: request.rolBelanghebbende,
    identiteitOntvanger: request.identiteitOntvanger,
    rolOntvanger: request.rolOntvanger,
    autorisatieAdres: request.autorisatieAdres,
    tijdstempelAangeleverd: receivedAt.toISOString(),
  };
}

/** A type's content limits for content in the request: its own, and never above IN_BAND_MAX_BYTES. */
function inBand(content: MessageType['content']): MessageType['content'] {
  return { ...content, maxBytes: Math.min(content.maxBytes, IN_BAND_MAX_BYTES) };
}

/** What can be refused of a file from the request alone, before anything is written: its MIME type and its size. */
function checkFile(berichtsoort: string, file: Bestand, allowed: { readonly mimeTypes: readonly string[]; readonly maxBytes: number }, role: 'inhoud' | 'bijlage'): void {
  if (!allowed.mimeTypes.includes(file.mimeType)) {
    throw refuse(
      'unsupported-media-type',
      `mimeType ${file.mimeType} van ${role} ${file.bestandsnaam} wordt niet geaccepteerd voor ${berichtsoort} (toegestaan: ${allowed.mimeTypes.join(', ')})`,
    );
  }
  if (decodedBase64Size(file.inhoud) > allowed.maxBytes) throw tooLarge(file, allowed.maxBytes, role === 'inhoud' && allowed.maxBytes >= IN_BAND_MAX_BYTES);
}

/** The issues of a request that is not the koppelvlak, kept small whatever the request was (100,000 unknown keys, say). */
const MAX_ISSUES = 10;
export function notKoppelvlak(error: z.ZodError): Refusal {
  const issues = error.issues.slice(0, MAX_ISSUES).map((issue) => ({ veld: issue.path.join('.') || '(verzoek)', fout: issue.message.slice(0, 200) }));
  const more = error.issues.length > MAX_ISSUES ? ` (en nog ${error.issues.length - MAX_ISSUES})` : '';
  const summary = issues.map((issue) => `${issue.veld}: ${issue.fout}`).join('; ');
  return refuse('invalid', `het verzoek voldoet niet aan de koppelvlakspecificatie: ${summary}${more}`, { issues, aantal: error.issues.length });
}

/** The keys a submission can be recognised by again, in order of precedence (SUBMISSION_KEY_KINDS). */
function submissionKeys(request: AanleverRequest, options: SubmitOptions): SubmissionKey[] {
  const keys: SubmissionKey[] = [];
  if (options.idempotencyKey !== undefined) keys.push({ kind: 'idempotency-key', value: options.idempotencyKey });
  if (request.aanleverkenmerk !== undefined) keys.push({ kind: 'aanleverkenmerk', value: request.aanleverkenmerk });
  return keys;
}

/** How a refusal names each kind of key: the key itself, and a fresh one. */
const KEY_NAMES_NL: Readonly<Record<SubmissionKey['kind'], { the: string; aNew: string }>> = {
  aanleverkenmerk: { the: 'het aanleverkenmerk', aNew: 'een nieuw aanleverkenmerk' },
  'idempotency-key': { the: 'de Idempotency-Key', aNew: 'een nieuwe Idempotency-Key' },
};

/** A key reused for other content: refused, never taken for a retry nor silently made a second message. */
function keyAlreadyUsed(key: SubmissionKey, windowMs: number): Refusal {
  const names = KEY_NAMES_NL[key.kind];
  return refuse(
    'invalid',
    `${names.the} ${key.value} is binnen ${dutchDuration(windowMs)} al gebruikt voor een ander bericht; lever precies hetzelfde bericht opnieuw aan of gebruik ${names.aNew}`,
  );
}

/** The window as a sender reads it: 24 uur, 15 minuten, 1 seconde. */
function dutchDuration(ms: number): string {
  const units: [number, string, string][] = [
    [3_600_000, 'uur', 'uur'],
    [60_000, 'minuut', 'minuten'],
    [1_000, 'seconde', 'seconden'],
  ];
  for (const [size, one, many] of units) {
    if (ms % size === 0) return `${ms / size} ${ms === size ? one : many}`;
  }
  return `${ms} milliseconden`;
}

/** Content past the in-band limit is told where large files go: Digikoppeling Grote Berichten (docs/grote-berichten.md). */
const tooLarge = (file: Bestand, limit: number, useGroteBerichten = false) =>
  refuse(
    'too-large',
    `${file.bestandsnaam} is groter dan ${limit} bytes${useGroteBerichten ? '; lever een bestand van meer dan 20 MiB aan via Digikoppeling Grote Berichten (POST /api/v1/grote-berichten)' : ''}`,
  );

/** A file's content; checked against the type's limit again, now that its size is exact. */
function decoded(file: Bestand, maxBytes: number): Buffer {
  const bytes = Buffer.from(file.inhoud, 'base64');
  if (bytes.byteLength > maxBytes) throw tooLarge(file, maxBytes, maxBytes >= IN_BAND_MAX_BYTES);
  return bytes;
}

/** The size of base64 content once decoded (the request's base64 is checked for its form before this runs). */
function decodedBase64Size(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return (base64.length / 4) * 3 - padding;
}

/** The aanleverResponse: the envelope as the sender gave it, with the kenmerk and the first status. */
function receipt(envelope: Envelope): AanleverResponse {
  return {
    kenmerk: envelope.kenmerk,
    berichtsoort: envelope.berichtsoort,
    ...(envelope.aanleverkenmerk ? { aanleverkenmerk: envelope.aanleverkenmerk } : {}),
    ...(envelope.eerderAanleverkenmerk ? { eerderAanleverkenmerk: envelope.eerderAanleverkenmerk } : {}),
    tijdstempelAangeleverd: envelope.tijdstempelAangeleverd,
    identiteitBelanghebbende: envelope.identiteitBelanghebbende,
    rolBelanghebbende: envelope.rolBelanghebbende,
    ...(envelope.identiteitOntvanger ? { identiteitOntvanger: envelope.identiteitOntvanger } : {}),
    ...(envelope.rolOntvanger ? { rolOntvanger: envelope.rolOntvanger } : {}),
    ...(envelope.autorisatieAdres ? { autorisatieAdres: envelope.autorisatieAdres } : {}),
    statuscode: STATUS.ontvangen,
    statusomschrijving: STATUS_DEFINITIONS[STATUS.ontvangen].omschrijving,
  };
}
