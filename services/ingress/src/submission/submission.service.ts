import { createHash, randomUUID } from 'node:crypto';

import { FOUTCODE, Refusal, STATUS, STATUS_DEFINITIONS, type AanleverResponse, type Envelope, type PayloadRef } from '@poort/contracts';
import type { MessageCatalog, MessageType } from '@poort/message-types';
import type { PayloadStore, PayloadWriter, WrittenPayload } from '@poort/payload-store';
import type { UnitOfWork } from '@poort/pipeline';
import type { ClientIdentity } from '@poort/pki';
import { z } from 'zod';

import { AanleverRequest, StreamedAanleverRequest } from './aanlever-request.dto.js';
import type { MessagesRepository } from './messages.repository.js';
import { requestFingerprint } from './request-fingerprint.js';
import type { SubmissionAdmission } from './submission-admission.js';
import type { EarlierSubmission, SubmissionKey, SubmissionKeysRepository } from './submission-keys.repository.js';
import type { FileSink, OpenFileSink, StreamedAanlevering, StreamedSlot } from './streamed-aanlevering.js';
import { SubmissionWriter, type StagedContent } from './submission-writer.js';

type Bestand = AanleverRequest['berichtInhoud'];

/**
 * Content in the request itself (REST, WUS, bulk) is at most 20 MiB by default (INGRESS_IN_BAND_MAX_BYTES), Digipoort's
 * limit of berichtInhoud and the threshold above which Digikoppeling requires Grote Berichten unless the parties agree
 * on another, whatever a message type allows there.
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
    private readonly payloads: PayloadStore,
    private readonly messages: MessagesRepository,
    private readonly keys: SubmissionKeysRepository,
    private readonly admission: SubmissionAdmission,
    /** The largest content or attachment in a request itself (INGRESS_IN_BAND_MAX_BYTES); beyond it, Grote Berichten. */
    private readonly inBandMaxBytes = IN_BAND_MAX_BYTES,
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

  /**
   * aanleveren whose body is read as it arrives (a large REST body: streamed-body.ts). `read` decodes each file
   * straight into the payload store, inside the transaction that stores the message: neither the body nor a file is
   * ever held whole, and a refused or broken-off request leaves nothing behind. The checks are submit's.
   */
  async submitStreamed(sender: ClientIdentity, read: (openSink: OpenFileSink) => Promise<StreamedAanlevering>, options: SubmitOptions = {}): Promise<AanleverResponse> {
    const release = this.admission.admit();
    try {
      let fingerprint = '';
      const outcome = await this.writer.writeStreamed(async (tx) => {
        const written = new Map<string, WrittenPayload>();
        const streamed = await read((slot) => payloadSink(this.payloads.openWriter(tx), (payload) => written.set(slotKey(slot), payload)));
        const parsed = StreamedAanleverRequest.safeParse(streamed.document);
        if (!parsed.success) throw notKoppelvlak(parsed.error);
        const request = parsed.data;
        const type = this.messageTypeOf(request);
        const bijlagen = request.berichtBijlagen ?? [];
        const payloadOf = (slot: StreamedSlot, file: Bestand): PayloadRef => {
          const payload = written.get(slotKey(slot));
          if (!payload) throw refuse('invalid', `${slot.kind === 'content' ? 'berichtInhoud' : `berichtBijlagen.${slot.index}`}.inhoud ontbreekt`);
          return { ...payload, mimeType: file.mimeType, bestandsnaam: file.bestandsnaam };
        };
        const content = payloadOf({ kind: 'content' }, request.berichtInhoud);
        const attachments = bijlagen.map((bijlage, index) => payloadOf({ kind: 'attachment', index }, bijlage));
        this.checkFiles(type, request, [content, ...attachments].map((payload) => payload.size));
        const keys = submissionKeys(request, options);
        if (keys.length > 0) fingerprint = fingerprintOf(request, [content, ...attachments]);
        const receivedAt = new Date();
        return { sender, keys, fingerprint, receivedAt, envelope: { ...envelopeOf(type, request, sender, receivedAt), content, attachments } };
      });
      return 'envelope' in outcome ? receipt(outcome.envelope) : await this.resubmitted(outcome.earlier, fingerprint);
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
    const files = [request.berichtInhoud, ...(request.berichtBijlagen ?? [])];
    this.checkFiles(type, request, files.map((file) => decodedBase64Size(file.inhoud)));
    const contents = files.map((file) => ({ bytes: Buffer.from(file.inhoud, 'base64'), meta: { mimeType: file.mimeType, bestandsnaam: file.bestandsnaam } }));

    // Only a request that can be resubmitted needs its fingerprint: hashing 20 MiB is not free.
    const fingerprint = keys.length > 0 ? fingerprintOf(request, contents.map(({ bytes }) => ({ sha256: createHash('sha256').update(bytes).digest('hex') }))) : '';
    const receivedAt = new Date();
    const outcome = await this.writer.write({ sender, keys, fingerprint, receivedAt, envelope: envelopeOf(type, request, sender, receivedAt), files: contents });
    return 'envelope' in outcome ? receipt(outcome.envelope) : this.resubmitted(outcome.earlier, fingerprint);
  }

  /**
   * What is refused of a request's files by the message type: their number, MIME types and sizes (`sizes`: the
   * content's, then each attachment's, decoded), the content's never above the in-band limit.
   */
  private checkFiles(type: MessageType, request: Pick<AanleverRequest, 'berichtInhoud' | 'berichtBijlagen'>, sizes: readonly number[]): void {
    const bijlagen = request.berichtBijlagen ?? [];
    if (bijlagen.length > type.attachments.maxCount) {
      throw refuse('invalid', `${type.berichtsoort} neemt ten hoogste ${type.attachments.maxCount} bijlagen aan, niet ${bijlagen.length}`);
    }
    const inBandMaxBytes = Math.min(type.content.maxBytes, this.inBandMaxBytes);
    checkFile(type.berichtsoort, request.berichtInhoud, { mimeTypes: type.content.mimeTypes, maxBytes: inBandMaxBytes }, sizes[0]!, 'inhoud', type.content.maxBytes > inBandMaxBytes);
    bijlagen.forEach((bijlage, index) => checkFile(type.berichtsoort, bijlage, type.attachments, sizes[index + 1]!, 'bijlage', false));
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

/**
 * What can be refused of a file from the request alone: its MIME type and its (decoded) size; a content the type would
 * take but not in the request is told to come by Grote Berichten.
 */
function checkFile(
  berichtsoort: string,
  file: Pick<Bestand, 'mimeType' | 'bestandsnaam'>,
  allowed: { readonly mimeTypes: readonly string[]; readonly maxBytes: number },
  size: number,
  role: 'inhoud' | 'bijlage',
  useGroteBerichten: boolean,
): void {
  if (!allowed.mimeTypes.includes(file.mimeType)) {
    throw refuse(
      'unsupported-media-type',
      `mimeType ${file.mimeType} van ${role} ${file.bestandsnaam} wordt niet geaccepteerd voor ${berichtsoort} (toegestaan: ${allowed.mimeTypes.join(', ')})`,
    );
  }
  if (size > allowed.maxBytes) throw tooLarge(file, allowed.maxBytes, useGroteBerichten);
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
const tooLarge = (file: Pick<Bestand, 'bestandsnaam'>, limit: number, useGroteBerichten: boolean) =>
  refuse(
    'too-large',
    `${file.bestandsnaam} is groter dan ${limit} bytes${useGroteBerichten ? `; lever een bestand van meer dan ${limit} bytes aan via Digikoppeling Grote Berichten (POST /api/v1/grote-berichten)` : ''}`,
  );

/**
 * The fingerprint of a request with its files (in order: content, attachments) taken by their SHA-256 rather than by
 * their base64: the same request gives the same fingerprint whether it was read whole or streamed.
 */
function fingerprintOf(request: AanleverRequest | StreamedAanleverRequest, files: readonly { readonly sha256: string }[]): string {
  const withHash = <T extends Bestand>(file: T, index: number): T => ({ ...file, inhoud: `sha256:${files[index]!.sha256}` });
  return requestFingerprint({
    ...request,
    berichtInhoud: withHash(request.berichtInhoud, 0),
    ...(request.berichtBijlagen ? { berichtBijlagen: request.berichtBijlagen.map((bijlage, index) => withHash(bijlage, index + 1)) } : {}),
  });
}

/** A sink that decodes into a payload writer and hands over what it wrote; aborting is left to the transaction's rollback. */
function payloadSink(writer: PayloadWriter, written: (payload: WrittenPayload) => void): FileSink {
  return {
    write: (bytes) => writer.write(bytes),
    end: async () => written(await writer.end()),
    abort: async () => undefined,
  };
}

const slotKey = (slot: StreamedSlot): string => (slot.kind === 'content' ? 'content' : `attachment-${slot.index}`);

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
