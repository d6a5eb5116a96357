import { X509Certificate, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';

import { DOMParser } from '@xmldom/xmldom';
import { TrustStoreVerifier, identityFromCertificate } from '@poort/pki';
import { isWsSecurityError, signSoapMessage, verifySoapRequest, type SigningCredentials, type TextHeaderBlock } from '@poort/ws-security';
import { XmlElement, compileSchema, compileXPath, elementsAt, parseXml, textAt, type CompiledSchema } from '@poort/xml';
import { SignedXml } from 'xml-crypto';

const NS = {
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  wsa: 'http://www.w3.org/2005/08/addressing',
  kv: 'http://logius.nl/digipoort/koppelvlakservices/1.2/',
} as const;
const SERVICE = 'http://logius.nl/digipoort/wus/2.0/afleverservice/1.2/AfleverService';
const ACTION = { request: `${SERVICE}/afleverenRequest`, response: `${SERVICE}/afleverenResponse`, fault: `${SERVICE}/afleveren/Fault/` } as const;
const ANONYMOUS = 'http://www.w3.org/2005/08/addressing/anonymous';
/** The koppelvlak XSD as libs/wus ships it (this file runs from libs/testing/dist/src). */
const KOPPELVLAK_XSD = new URL('../../../wus/standards/digipoort-koppelvlak-1.2.xsd', import.meta.url);
/** Poort's own OIN in the test PKI (its `server` certificate). */
export const TEST_POORT_OIN = '00000099000000000000';

/** A file of an afleverRequest, decoded. */
export interface ReceivedBestand {
  readonly mimeType: string;
  readonly bestandsnaam: string;
  readonly bytes: Buffer;
}

/** What the recipient accepted: the afleverRequest's fields, its content decoded, who sent and signed it. */
export interface AcceptedAflevering {
  readonly messageId: string;
  readonly kenmerk: string;
  /** Every text field of the afleverRequest by its path (`identiteitBelanghebbende/nummer`, …), as received. */
  readonly fields: Readonly<Record<string, string>>;
  readonly content: ReceivedBestand;
  readonly bijlagen: readonly ReceivedBestand[];
  readonly constateringen: readonly { code: string; beschrijving: string }[];
  readonly extras: Readonly<Record<string, string>>;
  readonly tlsOin: string;
  readonly signerOin: string;
  readonly tijdstempelAfgeleverd: string;
  readonly receivedAt: Date;
}

/** A request the recipient refused, and why (for tests that check a forgery was caught, and how). */
export interface RefusedRequest {
  readonly foutcode: string;
  readonly reason: string;
}

/** accept: a signed afleverResponse; fault: a signed SOAP Client fault with `fault`'s foutcode; down: HTTP 503. */
export type WusRecipientBehaviour = 'accept' | 'fault' | 'down';

export interface TestWusRecipientOptions {
  /** 0: any free port (`url` tells which, once started). */
  readonly port: number;
  readonly host?: string;
  /** Its TLS server certificate and signing key (the test PKI's recipient-a). */
  readonly credentials: { readonly cert: string; readonly key: string };
  /** The trusted CAs (the test PKI's caChain): Poort's TLS client certificate and signature must chain to them. */
  readonly caFile: string;
  /** Whose TLS client certificate and signature it accepts; default Poort's. */
  readonly senderOin?: string;
  readonly behaviour?: WusRecipientBehaviour;
}

class Refusal extends Error {
  constructor(
    readonly foutcode: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A government recipient's WUS afleverservice, as AfleverService.wsdl describes it, written apart from Poort's own
 * WUS code (only @poort/ws-security's verifier is shared, and xml-crypto checks the same signature independently).
 * HTTPS with two-way TLS: the client must present a certificate of the test PKI with Poort's OIN; the request must
 * be signed (2W-be-S) by that same OIN with a trusted certificate, addressed to this service and valid against the
 * koppelvlak XSD. Forged, unsigned or tampered requests get an unsigned SOAP fault and are recorded as refused.
 * Accepted messages are kept by wsa:MessageID: a repeat gets the first answer again and is not stored twice.
 */
export class TestWusRecipient {
  readonly accepted = new Map<string, AcceptedAflevering>();
  readonly refused: RefusedRequest[] = [];
  posts = 0;
  behaviour: WusRecipientBehaviour;
  /** The fault it answers with in behaviour 'fault'. */
  fault = { foutcode: 'AFO901', foutbeschrijving: 'de ontvanger kent deze belanghebbende niet' };
  /** Who signs its answers; switch to another credential to make Poort see a forged answer. */
  signAs: SigningCredentials;
  private readonly schema: CompiledSchema;
  private readonly trust: TrustStoreVerifier;
  private server: Server | undefined;

  constructor(private readonly options: TestWusRecipientOptions) {
    this.behaviour = options.behaviour ?? 'accept';
    this.signAs = { certificatePem: readFileSync(options.credentials.cert, 'utf8'), privateKeyPem: readFileSync(options.credentials.key, 'utf8') };
    this.schema = compileSchema(fileURLToPath(KOPPELVLAK_XSD));
    this.trust = new TrustStoreVerifier(readFileSync(options.caFile, 'utf8'), { purpose: 'signing' });
  }

  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  get url(): string {
    return `https://${this.host}:${this.address?.port ?? this.options.port}/wus/2.0/afleverservice/1.2`;
  }

  /** Its certificate (PEM path): what Poort's profile of this recipient pins. */
  get certificateFile(): string {
    return this.options.credentials.cert;
  }

  forKenmerk(kenmerk: string): AcceptedAflevering | undefined {
    return [...this.accepted.values()].find((aflevering) => aflevering.kenmerk === kenmerk);
  }

  async start(): Promise<this> {
    const server = createServer(
      {
        cert: readFileSync(this.options.credentials.cert),
        key: readFileSync(this.options.credentials.key),
        ca: readFileSync(this.options.caFile),
        requestCert: true,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
      },
      (request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          void this.answer(request.socket as TLSSocket, Buffer.concat(chunks)).then(({ status, body }) => {
            response.writeHead(status, { 'content-type': status === 503 ? 'text/plain' : 'text/xml; charset=utf-8' }).end(body);
          });
        });
      },
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.host, resolve);
    });
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get address(): AddressInfo | undefined {
    return this.server?.address() as AddressInfo | undefined;
  }

  private async answer(socket: TLSSocket, body: Buffer): Promise<{ status: number; body: string }> {
    this.posts++;
    if (this.behaviour === 'down') return { status: 503, body: 'service unavailable' };
    try {
      return await this.handle(socket, body);
    } catch (error) {
      const refusal = error instanceof Refusal ? error : new Refusal('AFS400', `technische fout: ${(error as Error).message}`);
      this.refused.push({ foutcode: refusal.foutcode, reason: refusal.message });
      return { status: 500, body: unsignedFault(refusal) };
    }
  }

  private async handle(socket: TLSSocket, body: Buffer): Promise<{ status: number; body: string }> {
    const senderOin = this.options.senderOin ?? TEST_POORT_OIN;
    const peer = socket.getPeerX509Certificate();
    const tlsOin = peer ? identityFromCertificate(peer).oin : undefined;
    if (tlsOin !== senderOin) throw new Refusal('0002', `TLS-clientcertificaat van OIN ${tlsOin ?? '(geen)'}, niet van ${senderOin}`);

    const xml = body.toString('utf8');
    // Content up to the XSD's 20 MiB, as base64, with attachments: more than @poort/xml's default document size.
    const doc = parseXml(body, { maxBytes: 256 * 1024 * 1024 });
    try {
      let verified;
      try {
        verified = verifySoapRequest(doc);
      } catch (error) {
        if (isWsSecurityError(error)) throw new Refusal('0002', `WS-Security: ${error.message} (${error.code})`);
        throw error;
      }
      const signer = verified.certificate;
      if (!independentlyValid(xml, signer)) throw new Refusal('0002', 'xml-crypto verifieert de handtekening niet');
      try {
        await this.trust.verify(signer, [], new Date());
      } catch (error) {
        throw new Refusal('0002', `ondertekeningscertificaat niet vertrouwd: ${(error as Error).message}`);
      }
      const signerOin = identityFromCertificate(signer).oin;
      if (signerOin !== senderOin) throw new Refusal('0002', `ondertekend door OIN ${signerOin}, niet door ${senderOin}`);

      const to = verified.addressing.get('To')?.content.trim();
      const action = verified.addressing.get('Action')?.content.trim();
      const messageId = verified.addressing.get('MessageID')?.content.trim();
      if (!to || new URL(to).pathname !== new URL(this.url).pathname) throw new Refusal('0011', `wsa:To ${to ?? '(geen)'} is niet dit endpoint`);
      if (action !== ACTION.request) throw new Refusal('0011', `wsa:Action ${action ?? '(geen)'} is niet ${ACTION.request}`);
      if (!messageId) throw new Refusal('0007', 'wsa:MessageID ontbreekt');

      const payload = firstElement(verified.body);
      if (!payload || payload.namespaceUri !== NS.kv || payload.name !== 'afleverRequest') throw new Refusal('AFS100', 'de Body bevat geen afleverRequest');
      const validation = this.schema.validate(payload);
      if (!validation.valid) throw new Refusal('AFS100', `het afleverRequest voldoet niet aan het koppelvlak: ${validation.errors.map((error) => error.message).join('; ')}`);

      const reply = (content: string, replyAction: string) =>
        signSoapMessage(
          { headers: [wsa('To', ANONYMOUS), wsa('Action', replyAction), wsa('MessageID', `urn:uuid:${randomUUID()}`), wsa('RelatesTo', messageId)], body: content },
          this.signAs,
          { signatureConfirmation: verified.signatureValue },
        );
      if (this.behaviour === 'fault') {
        this.refused.push({ foutcode: this.fault.foutcode, reason: this.fault.foutbeschrijving });
        return { status: 500, body: reply(faultContent('Client', this.fault.foutcode, this.fault.foutbeschrijving), ACTION.fault) };
      }
      const aflevering = this.accepted.get(messageId) ?? read(payload, messageId, tlsOin, signerOin);
      this.accepted.set(messageId, aflevering);
      const response =
        `<afleverResponse xmlns="${NS.kv}"><kenmerk>${escape(aflevering.kenmerk)}</kenmerk>` +
        `<berichtsoort>${escape(aflevering.fields['berichtsoort'] ?? '')}</berichtsoort>` +
        `<berichtkenmerk>${escape(aflevering.fields['berichtkenmerk'] ?? '')}</berichtkenmerk>` +
        `<tijdstempelAfgeleverd>${aflevering.tijdstempelAfgeleverd}</tijdstempelAfgeleverd></afleverResponse>`;
      return { status: 200, body: reply(response, ACTION.response) };
    } finally {
      doc.dispose();
    }
  }
}

const wsa = (localName: string, text: string): TextHeaderBlock => ({ namespaceUri: NS.wsa, prefix: 'wsa', localName, text });

const KV = { kv: NS.kv };
const xpath = (expression: string) => compileXPath(expression, KV);

function read(payload: XmlElement, messageId: string, tlsOin: string, signerOin: string): AcceptedAflevering {
  const fields: Record<string, string> = {};
  for (const name of ['kenmerk', 'berichtsoort', 'berichtkenmerk', 'aanleverkenmerk', 'tijdstempelAangeleverd', 'rolBelanghebbende', 'identiteitAanleveraar', 'rolOntvanger']) {
    const value = textAt(payload, xpath(`kv:${name}`));
    if (value !== undefined) fields[name] = value;
  }
  for (const identiteit of ['identiteitBelanghebbende', 'identiteitOntvanger']) {
    for (const part of ['nummer', 'type']) {
      const value = textAt(payload, xpath(`kv:${identiteit}/kv:${part}`));
      if (value !== undefined) fields[`${identiteit}/${part}`] = value;
    }
  }
  const bestand = (element: XmlElement): ReceivedBestand => ({
    mimeType: textAt(element, xpath('kv:mimeType')) ?? '',
    bestandsnaam: textAt(element, xpath('kv:bestandsnaam')) ?? '',
    bytes: Buffer.from(textAt(element, xpath('kv:inhoud')) ?? '', 'base64'),
  });
  const pairs = (path: string, key: string, value: string) =>
    elementsAt(payload, xpath(path)).map((element) => [textAt(element, xpath(`kv:${key}`)) ?? '', textAt(element, xpath(`kv:${value}`)) ?? ''] as const);
  return {
    messageId,
    kenmerk: fields['kenmerk'] ?? '',
    fields,
    content: bestand(elementsAt(payload, xpath('kv:berichtInhoud'))[0]!),
    bijlagen: elementsAt(payload, xpath('kv:berichtBijlagen/kv:bijlage')).map(bestand),
    constateringen: pairs('kv:constateringenLijst/kv:constatering', 'code', 'beschrijving').map(([code, beschrijving]) => ({ code, beschrijving })),
    extras: Object.fromEntries(pairs('kv:additioneleElementenLijst/kv:element', 'naam', 'waarde')),
    tlsOin,
    signerOin,
    tijdstempelAfgeleverd: new Date().toISOString(),
    receivedAt: new Date(),
  };
}

/** xml-crypto's verdict on the same signature, over the bytes as received, with the token's certificate. */
function independentlyValid(xml: string, signer: X509Certificate): boolean {
  try {
    const dom = new DOMParser().parseFromString(xml, 'text/xml');
    const signed = new SignedXml({ publicCert: signer.toString(), idMode: 'wssecurity', getCertFromKeyInfo: () => null });
    const [signature] = signed.findSignatures(dom as unknown as Parameters<SignedXml['findSignatures']>[0]);
    if (!signature) return false;
    signed.loadSignature(signature);
    return signed.checkSignature(xml);
  } catch {
    return false;
  }
}

function firstElement(parent: XmlElement): XmlElement | undefined {
  for (let node = parent.firstChild; node !== null; node = node.next) if (node instanceof XmlElement) return node;
  return undefined;
}

const escape = (text: string) => text.replace(/[&<>]/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[character]!);

function faultContent(faultcode: 'Client' | 'Server', foutcode: string, foutbeschrijving: string): string {
  return `<soapenv:Fault><faultcode>soapenv:${faultcode}</faultcode><faultstring>Algemene fout</faultstring>`
    + `<detail><afleverFault xmlns="${NS.kv}"><foutcode>${escape(foutcode)}</foutcode><foutbeschrijving>${escape(foutbeschrijving)}</foutbeschrijving></afleverFault></detail></soapenv:Fault>`;
}

/** A fault about a request whose signature could not be trusted: there is nobody to sign it for. */
function unsignedFault(refusal: Refusal): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${NS.soap11}"><soapenv:Header>`
    + `<wsa:Action xmlns:wsa="${NS.wsa}">${ACTION.fault}</wsa:Action></soapenv:Header>`
    + `<soapenv:Body>${faultContent('Client', refusal.foutcode, refusal.message)}</soapenv:Body></soapenv:Envelope>`;
}
