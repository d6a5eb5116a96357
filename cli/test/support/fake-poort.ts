import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createInterface } from 'node:readline';

import type { TestPki } from '@poort/pki';

interface StoredSubmission {
  readonly kenmerk: string;
  readonly inhoud: string;
}

/** A status as the status service answers it. */
export interface FakeStatus {
  readonly kenmerk: string;
  readonly statuscode: string;
  readonly tijdstempelStatus: string;
  readonly statusomschrijving: string;
  readonly statusFoutcode?: { foutcode: string; foutbeschrijving: string };
}

/**
 * A small real HTTPS server (two-way TLS with the test PKI) that speaks Poort's submission, bulk (docs/bulk.md) and
 * status APIs, with scripted trouble: busy answers with Retry-After, a bulk answer cut off mid-stream, ALS400 items,
 * no bulk API at all. It stores per aanleverkenmerk as ingress does, so a test can count what a client really made.
 */
export class FakePoort {
  /** Stored messages by aanleverkenmerk. */
  readonly stored = new Map<string, StoredSubmission>();
  readonly statuses = new Map<string, FakeStatus[]>();
  readonly requests: { method: string; path: string; status: number }[] = [];
  /** So many busy answers (503, Retry-After: 1) before the next real ones. */
  busyAnswers = 0;
  /** false: POST /api/v1/bulk is 404, as on a Poort without the bulk API. */
  bulkAvailable = true;
  /** The next bulk's answer is cut off (the connection destroyed) after this many item lines. */
  cutNextBulkAfter: number | undefined;
  /** These aanleverkenmerken get ALS400 (try again later) the first time. */
  readonly tryAgainOnce = new Set<string>();
  /** Grote Berichten uploads by uploadId (docs/grote-berichten.md), their bytes and which of them came. */
  readonly uploads = new Map<string, FakeUpload>();
  /** The ranges of every PUT that reached the fake, in order ("start-end"). */
  readonly puts: string[] = [];
  /** After so many PUTs, every further PUT is answered 500 (a Poort that broke down mid-upload). */
  failPutsAfter: number | undefined;
  /** The next PUT's connection is destroyed after this many of its bytes (they are kept, as Poort keeps them). */
  cutNextPutAfterBytes: number | undefined;
  private server: Server | undefined;

  constructor(private readonly pki: TestPki) {}

  get url(): string {
    return `https://localhost:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = createServer(
      { cert: readFileSync(this.pki.server.cert), key: readFileSync(this.pki.server.key), ca: readFileSync(this.pki.caChain), requestCert: true, rejectUnauthorized: false },
      (request, response) => void this.handle(request, response),
    );
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'https://x').pathname;
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      this.requests.push({ method: request.method ?? '', path, status });
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    };
    // As Poort: the certificate is checked when the headers have come, and refused with 401 (not in the handshake).
    if (!(request.socket as TLSSocket).authorized) {
      request.resume();
      return answer(401, { code: 'CERT_UNTRUSTED', message: 'the client certificate is not trusted' });
    }
    if (this.busyAnswers > 0) {
      this.busyAnswers -= 1;
      request.resume();
      return answer(503, { code: 'ALS400', message: 'Poort is overbelast; probeer het later opnieuw' }, { 'retry-after': '1' });
    }
    if (request.method === 'POST' && path === '/api/v1/aanleveren') {
      const body = JSON.parse(await text(request)) as Record<string, unknown>;
      const result = this.accept(body);
      return 'kenmerk' in result ? answer(200, { kenmerk: result.kenmerk, statuscode: '100' }) : answer(result.status, { code: result.foutcode, message: result.foutbeschrijving });
    }
    if (request.method === 'POST' && path === '/api/v1/bulk') {
      if (!this.bulkAvailable) {
        request.resume();
        return answer(404, { code: 'HTTP_404', message: 'Cannot POST /api/v1/bulk' });
      }
      return this.bulk(request, response);
    }
    if (request.method === 'POST' && path === '/api/v1/grote-berichten') {
      const body = JSON.parse(await text(request)) as { aanleverkenmerk: string; bestand: { grootte: number; sha256: string } };
      const earlier = [...this.uploads.values()].find((upload) => upload.aanleverkenmerk === body.aanleverkenmerk);
      if (earlier) return answer(200, stateOf(earlier));
      const upload: FakeUpload = { uploadId: randomUUID(), aanleverkenmerk: body.aanleverkenmerk, sha256: body.bestand.sha256, bytes: Buffer.alloc(body.bestand.grootte), have: new Uint8Array(body.bestand.grootte) };
      this.uploads.set(upload.uploadId, upload);
      return answer(201, stateOf(upload));
    }
    const upload = /^\/api\/v1\/grote-berichten\/([^/]+)$/.exec(path);
    if (upload) return this.uploadRequest(request, response, this.uploads.get(upload[1]!), answer);
    const status = /^\/api\/v1\/processen\/([^/]+)\/statussen$/.exec(path);
    if (request.method === 'GET' && status) {
      const found = this.statuses.get(decodeURIComponent(status[1]!));
      return found ? answer(200, found) : answer(404, { code: 'STS100', message: 'onbekend kenmerk' });
    }
    request.resume();
    answer(404, { code: 'HTTP_404', message: `no route ${path}` });
  }

  private async bulk(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.requests.push({ method: 'POST', path: '/api/v1/bulk', status: 200 });
    response.writeHead(200, { 'content-type': 'application/x-ndjson', location: `/api/v1/bulk/${randomUUID()}` });
    const cutAfter = this.cutNextBulkAfter;
    this.cutNextBulkAfter = undefined;
    let index = 0;
    let accepted = 0;
    let refused = 0;
    for await (const line of createInterface({ input: request, crlfDelay: Infinity })) {
      if (line.trim() === '') continue;
      const body = JSON.parse(line) as Record<string, unknown>;
      const result = this.accept(body);
      const aanleverkenmerk = typeof body.aanleverkenmerk === 'string' ? { aanleverkenmerk: body.aanleverkenmerk } : {};
      if ('kenmerk' in result) accepted += 1;
      else refused += 1;
      response.write(`${JSON.stringify({ index, ...aanleverkenmerk, ...('kenmerk' in result ? { kenmerk: result.kenmerk } : { fout: { foutcode: result.foutcode, foutbeschrijving: result.foutbeschrijving } }) })}\n`);
      index += 1;
      if (cutAfter !== undefined && index >= cutAfter) {
        // What was stored stays stored; the client sees the answer end without its summary.
        response.socket?.destroy();
        return;
      }
    }
    response.end(`${JSON.stringify({ samenvatting: { bulkId: randomUUID(), geaccepteerd: accepted, geweigerd: refused } })}\n`);
  }

  private async uploadRequest(request: IncomingMessage, response: ServerResponse, upload: FakeUpload | undefined, answer: (status: number, body: unknown) => void): Promise<void> {
    if (!upload) {
      request.resume();
      return answer(404, { code: 'UPLOAD_NOT_FOUND', message: 'no such upload' });
    }
    if (request.method === 'GET') return answer(200, stateOf(upload));
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(request.headers['content-range']));
    if (!range || Number(range[3]) !== upload.bytes.byteLength) {
      request.resume();
      return answer(416, { code: 'UPLOAD_RANGE_NOT_SATISFIABLE', message: 'bad range' });
    }
    const start = Number(range[1]);
    this.puts.push(`${start}-${range[2]}`);
    if (this.failPutsAfter !== undefined && this.puts.length > this.failPutsAfter) {
      request.resume();
      return answer(500, { code: 'INTERNAL_ERROR', message: 'internal error' });
    }
    const cutAfter = this.cutNextPutAfterBytes;
    this.cutNextPutAfterBytes = undefined;
    let at = start;
    for await (const chunk of request) {
      for (const byte of chunk as Buffer) {
        upload.bytes[at] = byte;
        upload.have[at++] = 1;
        if (cutAfter !== undefined && at - start >= cutAfter) {
          response.socket?.destroy();
          return;
        }
      }
    }
    if (upload.have.includes(0)) return answer(200, stateOf(upload));
    const sha256 = createHash('sha256').update(upload.bytes).digest('hex');
    if (sha256 !== upload.sha256) return answer(422, { code: 'CHECKSUM_ERROR', message: `the SHA-256 is ${sha256}` });
    upload.kenmerk ??= randomUUID();
    this.stored.set(upload.aanleverkenmerk, { kenmerk: upload.kenmerk, inhoud: sha256 });
    answer(201, { kenmerk: upload.kenmerk, statuscode: '100' });
  }

  /** Ingress's rules in small: refuse what is marked invalid, answer a known aanleverkenmerk with its first kenmerk. */
  private accept(body: Record<string, unknown>): { kenmerk: string } | { status: number; foutcode: string; foutbeschrijving: string } {
    const aanleverkenmerk = String(body.aanleverkenmerk);
    const inhoud = String((body.berichtInhoud as { inhoud?: unknown } | undefined)?.inhoud ?? '');
    if (this.tryAgainOnce.delete(aanleverkenmerk)) return { status: 503, foutcode: 'ALS400', foutbeschrijving: 'probeer het later opnieuw' };
    if (Buffer.from(inhoud, 'base64').toString('utf8').includes('INVALID')) return { status: 400, foutcode: 'ALS100', foutbeschrijving: 'het verzoek voldoet niet aan de koppelvlakspecificatie' };
    const earlier = this.stored.get(aanleverkenmerk);
    if (earlier) return earlier.inhoud === inhoud ? { kenmerk: earlier.kenmerk } : { status: 400, foutcode: 'ALS100', foutbeschrijving: 'aanleverkenmerk al gebruikt' };
    const kenmerk = randomUUID();
    this.stored.set(aanleverkenmerk, { kenmerk, inhoud });
    return { kenmerk };
  }
}

/** A Grote Berichten upload as the fake holds it. */
export interface FakeUpload {
  readonly uploadId: string;
  readonly aanleverkenmerk: string;
  readonly sha256: string;
  readonly bytes: Buffer;
  /** 1 for each byte that came. */
  readonly have: Uint8Array;
  kenmerk?: string;
}

function stateOf(upload: FakeUpload) {
  const ranges = (value: number) => {
    const found: { start: number; end: number }[] = [];
    upload.have.forEach((have, index) => {
      if (have !== value) return;
      const last = found.at(-1);
      if (last && last.end === index - 1) last.end = index;
      else found.push({ start: index, end: index });
    });
    return found;
  };
  return {
    uploadId: upload.uploadId,
    location: `/api/v1/grote-berichten/${upload.uploadId}`,
    status: upload.kenmerk ? 'voltooid' : 'open',
    grootte: upload.bytes.byteLength,
    ontvangen: ranges(1),
    ontbrekend: ranges(0),
    ...(upload.kenmerk ? { kenmerk: upload.kenmerk } : {}),
  };
}

async function text(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
