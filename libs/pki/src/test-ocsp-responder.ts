import {
  BasicOCSPResponse,
  CertID,
  CertStatus,
  id_pkix_ocsp_basic,
  id_pkix_ocsp_nonce,
  OCSPRequest,
  OCSPResponse,
  OCSPResponseStatus,
  ResponderID,
  ResponseBytes,
  ResponseData,
  RevokedInfo,
  SingleResponse,
} from '@peculiar/asn1-ocsp';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate, CRLReason, CRLReasons } from '@peculiar/asn1-x509';
import { createHash, createPrivateKey, type KeyObject, sign, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { encodedSubject, normalizeSerial, subjectPublicKeyBits } from './certificate-extensions.js';
import type { TestPki } from './test-pki.js';

/*
 * A TEST OCSP responder (RFC 6960) for the test PKI: answers about certificates of the issuing CA, signing with the
 * delegated responder certificate (the CA keys are not kept). `revoked` is revoked; the other certificates the issuing
 * CA issued are good; anything else is unknown.
 */

export interface TestOcspResponderOptions {
  /** Default 0: any free port (see `url`). Use the port of the `ocspUrl` the test PKI was generated with. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Lifetime of an answer (nextUpdate − thisUpdate). Default one hour. */
  validityMs?: number;
  /**
   * Sign with another certificate and key (PEM file paths) instead of the delegated responder, e.g. a client
   * certificate without id-kp-OCSPSigning, to test that clients refuse such answers.
   */
  signWith?: { cert: string; key: string };
}

export interface TestOcspResponder {
  url: string;
  port: number;
  /** How many OCSP requests it has received. */
  readonly requests: number;
  close(): Promise<void>;
}

const HASHES: Readonly<Record<string, string>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
const MAX_REQUEST_BYTES = 64 * 1024;

export async function startTestOcspResponder(pki: TestPki, options: TestOcspResponderOptions = {}): Promise<TestOcspResponder> {
  const signerPaths = options.signWith ?? pki.ocspResponder;
  const issuer = new X509Certificate(await readFile(pki.issuingCa));
  const signerCert = new X509Certificate(await readFile(signerPaths.cert));
  const signerKey = createPrivateKey(await readFile(signerPaths.key));
  const validityMs = options.validityMs ?? 60 * 60 * 1000;

  const statuses = new Map<string, 'good' | 'revoked'>();
  for (const credential of [pki.server, ...Object.values(pki.clients)]) {
    if ('status' in credential && credential.status === 'untrusted') continue;
    statuses.set(normalizeSerial(credential.serialNumber), 'status' in credential && credential.status === 'revoked' ? 'revoked' : 'good');
  }
  const responder = { issuer, signerCert, signerKey, statuses, validityMs, revokedAt: new Date(pki.generatedAt.getTime() - 60 * 60 * 1000) };

  let requests = 0;
  const server: Server = createServer((request, response) => {
    requests++;
    void handle(request, response, responder);
  });
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/`,
    port: address.port,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolveClose, rejectClose) => {
        server.close((error) => (error ? rejectClose(error) : resolveClose()));
        server.closeAllConnections();
      }),
  };
}

interface Responder {
  issuer: X509Certificate;
  signerCert: X509Certificate;
  signerKey: KeyObject;
  statuses: ReadonlyMap<string, 'good' | 'revoked'>;
  validityMs: number;
  revokedAt: Date;
}

async function handle(request: IncomingMessage, response: ServerResponse, responder: Responder): Promise<void> {
  let body: Uint8Array;
  try {
    if (request.method !== 'POST') throw new Error('POST only');
    body = await readBody(request);
  } catch {
    send(response, new OCSPResponse({ responseStatus: OCSPResponseStatus.malformedRequest }));
    return;
  }
  try {
    send(response, answer(AsnConvert.parse(body, OCSPRequest), responder));
  } catch {
    send(response, new OCSPResponse({ responseStatus: OCSPResponseStatus.malformedRequest }));
  }
}

function answer(request: OCSPRequest, responder: Responder): OCSPResponse {
  const now = new Date();
  const responses = request.tbsRequest.requestList.map(({ reqCert }) =>
    new SingleResponse({
      certID: reqCert,
      certStatus: statusOf(reqCert, responder),
      thisUpdate: new Date(now.getTime() - 60 * 1000),
      nextUpdate: new Date(now.getTime() + responder.validityMs),
    }),
  );
  const nonce = request.tbsRequest.requestExtensions?.find((extension) => extension.extnID === id_pkix_ocsp_nonce);
  const tbsResponseData = new ResponseData({
    responderID: new ResponderID({
      byKey: new OctetString(createHash('sha1').update(subjectPublicKeyBits(responder.signerCert)).digest()),
    }),
    producedAt: now,
    responses,
    ...(nonce ? { responseExtensions: [nonce] } : {}),
  });
  const tbs = new Uint8Array(AsnConvert.serialize(tbsResponseData));
  const isRsa = responder.signerKey.asymmetricKeyType === 'rsa';
  const basic = new BasicOCSPResponse({
    tbsResponseData,
    signatureAlgorithm: new AlgorithmIdentifier(
      isRsa ? { algorithm: '1.2.840.113549.1.1.11', parameters: null } : { algorithm: '1.2.840.10045.4.3.2' },
    ),
    signature: toArrayBuffer(sign('sha256', tbs, responder.signerKey)),
    certs: [AsnConvert.parse(responder.signerCert.raw, Certificate)],
  });
  return new OCSPResponse({
    responseStatus: OCSPResponseStatus.successful,
    responseBytes: new ResponseBytes({
      responseType: id_pkix_ocsp_basic,
      response: new OctetString(AsnConvert.serialize(basic)),
    }),
  });
}

function statusOf(certId: CertID, responder: Responder): CertStatus {
  const hash = HASHES[certId.hashAlgorithm.algorithm];
  const digest = (data: Uint8Array): Buffer => createHash(hash ?? 'sha1').update(data).digest();
  const ours =
    hash !== undefined &&
    digest(encodedSubject(responder.issuer)).equals(Buffer.from(certId.issuerNameHash.buffer)) &&
    digest(subjectPublicKeyBits(responder.issuer)).equals(Buffer.from(certId.issuerKeyHash.buffer));
  const status = ours ? responder.statuses.get(normalizeSerial(certId.serialNumber)) : undefined;
  if (status === 'good') return new CertStatus({ good: null });
  if (status === 'revoked') {
    return new CertStatus({
      revoked: new RevokedInfo({ revocationTime: responder.revokedAt, revocationReason: new CRLReason(CRLReasons.keyCompromise) }),
    });
  }
  return new CertStatus({ unknown: null });
}

async function readBody(request: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_REQUEST_BYTES) throw new Error('request too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, ocsp: OCSPResponse): void {
  const der = Buffer.from(AsnConvert.serialize(ocsp));
  response.writeHead(200, { 'content-type': 'application/ocsp-response', 'content-length': der.length });
  response.end(der);
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
