import type { X509Certificate } from 'node:crypto';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

import type { Recipient } from '@poort/message-types';
import type { CertificateVerifier } from '@poort/pki';
import { AFLEVER_SERVICE, AfleverRequestError, NS, WSA_ANONYMOUS, afleverRequestXml, unsignedEnvelope, type AfleverRequest } from '@poort/wus';
import { signSoapMessage, type SigningCredentials, type TextHeaderBlock, type WsSecurityPolicy } from '@poort/ws-security';
import type { CompiledSchema } from '@poort/xml';
import { loadRecipientCertificate, type RecipientCertificate } from '@poort/recipient-encryption';

import { deliveryMessageId, type AttemptOutcome } from '../attempt-outcome.js';
import type { DeliveryCredentials } from '../delivery-credentials.js';
import { outcomeOfAfleverAnswer } from './aflever-answer.js';
import { afleverRequestOf } from './aflever-request.js';
import { recipientHttpsAgent } from './recipient-agent.js';
import type { DeliveryAttempt, DeliveryChannel } from './delivery-channel.js';

const AFLEVEREN = AFLEVER_SERVICE.operations[0]!;
/** An afleverResponse is small; a fault's foutbeschrijving may be up to 1 MiB. Anything longer is not read. */
const MAX_ANSWER_BYTES = 2 * 1024 * 1024;

export class WusAfleverConfigError extends Error {
  readonly code = 'CONFIG_WUS_AFLEVER';
}

/** What the WUS channel needs from the delivery service's configuration besides Poort's credentials. */
export interface WusAfleverSettings {
  /** Checks a recipient's signing certificate (chain, validity, revocation), as the WUS endpoints check signers. */
  readonly signers: CertificateVerifier;
  /** digipoort-koppelvlak-1.2.xsd, compiled. */
  readonly schema: CompiledSchema;
  readonly policy: Partial<WsSecurityPolicy>;
}

/** A recipient's connection settings, made once at start-up. */
interface RecipientLink {
  readonly agent: HttpsAgent;
  readonly pinned: X509Certificate | undefined;
  /** The recipient's certificate, when its profile wants content and attachments encrypted (XML Encryption). */
  readonly encryptTo: RecipientCertificate | undefined;
}

/**
 * Delivery through the recipient's WUS afleverservice (domain.md 2.2, AfleverService.wsdl): an afleverRequest with
 * every field Poort has, over two-way TLS with Poort's client certificate, WS-Addressing with a MessageID that is the
 * same on every retry (so a recipient drops repeats), signed by Poort (2W-be-S) unless the profile says not to sign.
 * The answer is verified before it counts (see outcomeOfAfleverAnswer).
 *
 * Poort's credentials are DeliveryCredentials' (read and checked at start-up). A profile that says `encrypt` gets
 * berichtInhoud and each bijlage as XML Encryption (AES-256-GCM, RSA-OAEP to its certificate), base64 as the koppelvlak
 * carries every file, with mimeType application/xenc+xml.
 */
export class WusAfleverChannel implements DeliveryChannel {
  readonly name = 'wus';
  private readonly links = new Map<string, RecipientLink>();
  private readonly signing: SigningCredentials | undefined;

  constructor(
    recipients: readonly Recipient[],
    credentials: DeliveryCredentials,
    private readonly settings: WusAfleverSettings,
  ) {
    const signing = credentials.signing;
    this.signing = signing ? { certificatePem: signing.certPem, privateKeyPem: signing.keyPem } : undefined;
    for (const recipient of recipients.filter((each) => each.channel === 'wus')) {
      const pinned = credentials.pinnedCertificateOf(recipient);
      const agent = recipientHttpsAgent(recipient, credentials);
      this.links.set(recipient.id, { agent, pinned, encryptTo: recipient.encrypt && pinned ? loadRecipientCertificate(pinned) : undefined });
    }
  }

  async deliver(attempt: DeliveryAttempt): Promise<AttemptOutcome> {
    const { recipient, envelope } = attempt;
    const link = this.links.get(recipient.id);
    if (!link || !recipient.endpoint) return { kind: 'undeliverable', detail: `ontvanger ${recipient.id} heeft geen WUS-afleverservice` };
    const messageId = afleverMessageId(envelope.kenmerk, recipient.id);
    let request: { body: string; signatureValue: string | undefined };
    try {
      request = this.request(recipient, messageId, await afleverRequestOf(attempt, link.encryptTo));
    } catch (error) {
      if (error instanceof AfleverRequestError) return { kind: 'undeliverable', detail: `het afleverRequest kan niet worden gemaakt: ${error.message}` };
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('PAYLOAD_')) return { kind: 'undeliverable', detail: `${(error as Error).message} (${code})` };
      return { kind: 'failed', detail: `het afleverRequest kan niet worden gemaakt: ${(error as Error).message}` };
    }
    const first = await post(recipient, link.agent, request.body);
    // A kept-alive connection the recipient closed as it was reused: once more at once on a new one (same MessageID).
    const answer = 'stale' in first ? await post(recipient, link.agent, request.body) : first;
    if ('error' in answer) return { kind: 'failed', detail: answer.error };
    if ('stale' in answer) return { kind: 'failed', detail: answer.stale };
    return outcomeOfAfleverAnswer(answer.status, answer.body, {
      recipient,
      kenmerk: envelope.kenmerk,
      messageId,
      signatureValue: request.signatureValue,
      pinned: link.pinned,
      signers: this.settings.signers,
      schema: this.settings.schema,
      policy: this.settings.policy,
      now: new Date(),
    });
  }

  private request(recipient: Recipient, messageId: string, afleverRequest: AfleverRequest): { body: string; signatureValue: string | undefined } {
    const wsa = (localName: string, text: string, child?: string): TextHeaderBlock => ({ namespaceUri: NS.wsa, prefix: 'wsa', localName, text, ...(child ? { child } : {}) });
    const message = {
      headers: [wsa('To', recipient.endpoint!), wsa('Action', AFLEVEREN.action), wsa('MessageID', messageId), wsa('ReplyTo', WSA_ANONYMOUS, 'Address')],
      body: afleverRequestXml(afleverRequest),
    };
    if (!recipient.sign || !this.signing) return { body: unsignedEnvelope({ ...message, headers: message.headers.filter((block) => block.child === undefined) }), signatureValue: undefined };
    // The body is Poort's own writing, its size bounded by the XSD's limits on what it carries.
    const body = signSoapMessage(message, this.signing, { maxBodyBytes: Buffer.byteLength(message.body) + 4_096 });
    return { body, signatureValue: /<ds:SignatureValue>([^<]+)<\/ds:SignatureValue>/.exec(body)?.[1] };
  }
}

/** wsa:MessageID of one message for one recipient: a URI, the same on every attempt. */
export const afleverMessageId = (kenmerk: string, recipientId: string): string => `urn:poort:aflevering:${encodeURIComponent(deliveryMessageId(kenmerk, recipientId))}`;

type PostResult = { readonly status: number; readonly body: Buffer } | { readonly error: string } | { readonly stale: string };

/** Errors of a reused connection that the other end had closed. */
const STALE_CONNECTION_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE']);

function post(recipient: Recipient, agent: HttpsAgent, body: string): Promise<PostResult> {
  const bytes = Buffer.from(body, 'utf8');
  return new Promise((settle) => {
    const request = httpsRequest(
      recipient.endpoint!,
      {
        method: 'POST',
        agent,
        signal: AbortSignal.timeout(recipient.timeout),
        headers: { 'content-type': 'text/xml; charset=utf-8', 'content-length': String(bytes.byteLength), soapaction: `"${AFLEVEREN.action}"` },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let length = 0;
        response.on('data', (chunk: Buffer) => {
          length += chunk.byteLength;
          if (length > MAX_ANSWER_BYTES) {
            response.destroy();
            settle({ error: `het antwoord van ${recipient.id} is langer dan ${MAX_ANSWER_BYTES} bytes` });
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', (error) => settle({ error: describe(error) }));
        response.on('end', () => settle({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
        response.on('close', () => settle({ error: `het antwoord van ${recipient.id} brak af (HTTP ${response.statusCode ?? '?'})` }));
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) =>
      settle(request.reusedSocket && STALE_CONNECTION_CODES.has(error.code ?? '') ? { stale: describe(error) } : { error: describe(error) }),
    );
    request.end(bytes);
  });
}

function describe(error: unknown): string {
  const failure = error as { name?: string; message?: string; code?: unknown };
  return `${failure.name ?? 'Error'}: ${failure.message ?? String(error)}${typeof failure.code === 'string' ? ` (${failure.code})` : ''}`;
}
