import type { X509Certificate } from 'node:crypto';

import { Refusal } from '@poort/contracts';
import { ClientIdentityError, identityFromCertificate, type CertificateVerifier, type ClientIdentity } from '@poort/pki';
import type { CompiledSchema, XmlElement } from '@poort/xml';

import { checkAddressing, checkSoapAction, unverifiedAction } from './addressing.js';
import { faultAction, faultBody, soapResponse, unsignedEnvelope, type SoapResponse } from './response-envelope.js';
import type { ReplayGuard, SoapSecurity } from './security-port.js';
import { operationForElement, type WusOperation, type WusService } from './services.js';
import { checkContentType, checkHeaderBlocks, childElements, readSoapRequest } from './soap-request.js';
import { NS } from './namespaces.js';
import { WUS_CODE, WusFault, clientFault, faultForRefusal } from './wus-fault.js';

export interface WusHttpRequest {
  readonly body: Uint8Array;
  readonly contentType: string | undefined;
  readonly soapAction: string | undefined;
  /** The caller as established by two-way TLS (ClientIdentityGuard). */
  readonly tlsIdentity: ClientIdentity;
}

export interface WusHttpResponse {
  readonly status: 200 | 500;
  readonly contentType: 'text/xml; charset=utf-8';
  readonly body: string;
  /** For a fault: what was refused, for the caller's logs and metrics. */
  readonly fault?: Pick<WusFault, 'faultcode' | 'foutcode' | 'foutbeschrijving' | 'retryAfterSeconds'>;
}

/** What an operation handler gets: the caller, and the signed, schema-valid operation element. */
export interface WusCall {
  readonly operation: WusOperation;
  readonly caller: ClientIdentity;
  readonly payload: XmlElement;
  readonly messageId: string;
}

/** Returns the response payload element (koppelvlak XML), or throws a WusFault or a use case's Refusal. */
export type WusOperationHandler = (call: WusCall) => Promise<string>;

export interface WusEndpointOptions {
  readonly service: WusService;
  readonly security: SoapSecurity;
  /** Checks the signing certificate's chain and validity (the TLS certificate is checked by the TLS layer). */
  readonly signingCertificates: CertificateVerifier;
  readonly replay: ReplayGuard;
  /** digipoort-koppelvlak-1.2.xsd, compiled. */
  readonly schema: CompiledSchema;
  readonly handlers: Readonly<Record<string, WusOperationHandler>>;
  readonly maxRequestBytes: number;
  /** Unexpected errors: logged by the caller, answered with a Server fault that says nothing about them. */
  readonly onError: (error: unknown) => void;
  readonly now?: () => Date;
}

interface Established {
  operation?: WusOperation;
  messageId?: string;
  /** Set once the request's signature is verified: from then on faults are signed too. */
  signatureValue?: string;
}

/**
 * One WUS endpoint: every request goes through the same checks, in this order: SOAP 1.1 framing and envelope, no
 * custom headers, SOAPAction, WS-Security, signer = TLS caller, WS-Addressing, koppelvlak XSD, replay; then the
 * operation's use case. Responses and faults after a verified signature are signed, with SignatureConfirmation;
 * faults for requests whose signature could not be verified are not (there is no one to confirm to).
 */
export class WusEndpoint {
  private readonly now: () => Date;

  constructor(private readonly options: WusEndpointOptions) {
    this.now = options.now ?? (() => new Date());
  }

  get service(): WusService {
    return this.options.service;
  }

  async handle(request: WusHttpRequest): Promise<WusHttpResponse> {
    const established: Established = {};
    const now = this.now();
    try {
      const payload = await this.process(request, established, now);
      const operation = established.operation!;
      const response = soapResponse({ action: operation.responseAction, relatesTo: established.messageId! }, payload);
      return { status: 200, contentType: 'text/xml; charset=utf-8', body: this.sign(response, established, now) };
    } catch (error) {
      const fault = error instanceof WusFault ? error : error instanceof Refusal ? faultForRefusal(error) : this.unexpected(error);
      return this.fault(fault, established, now);
    }
  }

  /** The full fault envelope for a refusal that happens outside `handle` (e.g. TLS identity refused). */
  faultResponse(fault: WusFault): WusHttpResponse {
    return this.fault(fault, {}, this.now());
  }

  private async process(request: WusHttpRequest, established: Established, now: Date): Promise<string> {
    checkContentType(request.contentType);
    const { doc, headerBlocks } = readSoapRequest(request.body, { maxBytes: this.options.maxRequestBytes });
    try {
      checkHeaderBlocks(headerBlocks);
      checkSoapAction(request.soapAction, unverifiedAction(headerBlocks));
      const verified = this.verify(doc);
      established.signatureValue = verified.signatureValue;
      await this.checkSigner(verified.certificate, request.tlsIdentity, now);

      const payload = childElements(verified.body)[0];
      const operation = payload?.namespaceUri === NS.kv ? operationForElement(this.service, payload.name) : undefined;
      if (payload === undefined || operation === undefined) {
        throw clientFault(this.service.interfaceFoutcode, `de Body bevat geen verzoek van ${this.service.name}`);
      }
      established.operation = operation;
      const addressing = checkAddressing(headerBlocks, verified.addressing, { endpointPath: this.service.path, operation });
      established.messageId = addressing.messageId;

      const validation = this.options.schema.validate(payload);
      if (!validation.valid) {
        const reasons = validation.errors.slice(0, 5).map((error) => error.message).join('; ');
        throw clientFault(
          this.service.interfaceFoutcode,
          `Het verzoek voldoet niet aan de koppelvlakspecificaties en kan hierdoor niet worden verwerkt. De volgende fout is opgetreden: ${reasons}`,
        );
      }
      if (!(await this.options.replay.remember(request.tlsIdentity.fingerprintSha256, addressing.messageId, now))) {
        throw clientFault(WUS_CODE.headerValue, `wsa:MessageID ${addressing.messageId} is al eerder ontvangen`);
      }
      const handler = this.options.handlers[operation.name];
      if (handler === undefined) throw new WusFault('Server', this.service.technicalFoutcode, `${operation.name} is niet beschikbaar`);
      return await handler({ operation, caller: request.tlsIdentity, payload, messageId: addressing.messageId });
    } finally {
      doc.dispose();
    }
  }

  private verify(doc: Parameters<SoapSecurity['verify']>[0]) {
    try {
      return this.options.security.verify(doc, this.now());
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('WSS_')) {
        throw clientFault(WUS_CODE.notAuthorised, `WS-Security: ${(error as Error).message} (${code})`);
      }
      throw error;
    }
  }

  /** The message signer must be a trusted certificate of the same organisation (OIN) as the TLS caller. */
  private async checkSigner(certificate: X509Certificate, tls: ClientIdentity, now: Date): Promise<void> {
    let signer: ClientIdentity;
    try {
      await this.options.signingCertificates.verify(certificate, [], now);
      signer = identityFromCertificate(certificate);
    } catch (error) {
      if (error instanceof ClientIdentityError) throw clientFault(WUS_CODE.notAuthorised, `ondertekeningscertificaat niet geaccepteerd: ${error.message}`);
      throw error;
    }
    if (signer.oin !== tls.oin) {
      throw clientFault(WUS_CODE.notAuthorised, `het bericht is ondertekend door OIN ${signer.oin}, de TLS-verbinding is van OIN ${tls.oin}`);
    }
  }

  private unexpected(error: unknown): WusFault {
    this.options.onError(error);
    return new WusFault('Server', this.service.technicalFoutcode, 'Er is een technische fout opgetreden; probeer het later opnieuw');
  }

  private fault(fault: WusFault, established: Established, now: Date): WusHttpResponse {
    const response = soapResponse(
      { action: faultAction(this.service, established.operation?.name), ...(established.messageId ? { relatesTo: established.messageId } : {}) },
      faultBody(this.service, fault),
    );
    let body: string | undefined;
    if (established.signatureValue !== undefined) {
      try {
        body = this.sign(response, established, now);
      } catch (error) {
        this.options.onError(error);
      }
    }
    body ??= unsignedEnvelope(response);
    return { status: 500, contentType: 'text/xml; charset=utf-8', body, fault };
  }

  private sign(response: SoapResponse, established: Established, now: Date): string {
    return this.options.security.sign(response, {
      now,
      ...(established.signatureValue === undefined ? {} : { signatureConfirmation: established.signatureValue }),
    });
  }
}
