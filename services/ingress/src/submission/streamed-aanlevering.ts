/**
 * A REST aanleveren read as it streams in (issue 13): the JSON body is tokenized piece by piece, and the base64 of
 * berichtInhoud.inhoud and of each berichtBijlagen[i].inhoud is decoded as it arrives and written to a sink (the
 * payload store's staging, see FileSink), never held whole. Whatever the content's size, the reader holds a chunk of
 * the body, a batch of decoded bytes (Base64StreamDecoder) and the rest of the document, which is small and capped
 * (maxStringChars per string or key, maxDocumentChars in all).
 *
 * How the route is meant to use it (the wiring is in streamed-body.ts, step by step): a body whose Content-Length is
 * at least INGRESS_STREAMED_BODY_FROM_BYTES (default 1 MiB), or that comes chunked, is not parsed by Fastify's JSON
 * parser but set aside as its stream for the controller, which reads it with this reader and a sink factory that
 * stages each file in the payload store, and then checks `document` with StreamedAanleverRequest (the koppelvlak's
 * schema, with each inhoud the STREAMED_INHOUD marker) and the message type's limits against `files`. Smaller bodies
 * keep the buffered path (SubmissionService.submit), which costs less for them.
 *
 * The JSON is held to the same rules as the buffered path (libs/nest-kit strict-json.ts): UTF-8 only (invalid bytes
 * are refused, not replaced), `__proto__` and `constructor.prototype` keys refused; and, as a stream cannot take a
 * later value instead of an earlier one that is already stored, a key that occurs twice in an object is refused.
 */
import { createHash, type Hash } from 'node:crypto';

import type { HttpException } from '@nestjs/common';
import { FOUTCODE, Refusal } from '@poort/contracts';
import { httpError } from '@poort/nest-kit';
import { getManyValues, isMany, none } from 'stream-chain/defs.js';
import { jsonParser, type Token } from 'stream-json/core/parser.js';

import { STREAMED_INHOUD } from './aanlever-request.dto.js';
import { Base64Error, Base64StreamDecoder } from './base64-stream.js';

/** Which file of the aanlevering a streamed inhoud is: the content, or attachment `index` of berichtBijlagen. */
export type StreamedSlot = { readonly kind: 'content' } | { readonly kind: 'attachment'; readonly index: number };

/**
 * Where the decoded bytes of one file go. Each write is awaited before the next part of the body is read (that is the
 * back-pressure). `end` once all bytes are written; `abort` when the aanlevering fails, also for a sink that has
 * already ended (an attachment's body broke off after the content was complete): nothing it took may be kept.
 */
export interface FileSink {
  write(bytes: Buffer): Promise<void>;
  end(): Promise<void>;
  abort(): Promise<void>;
}

export type OpenFileSink = (slot: StreamedSlot) => FileSink | Promise<FileSink>;

/** A file that streamed through completely: how many bytes it decoded to, and their SHA-256 (hex). */
export interface StreamedFile {
  readonly slot: StreamedSlot;
  readonly bytes: number;
  readonly sha256: string;
}

/** The aanlevering without its files: each streamed inhoud is STREAMED_INHOUD in `document`, its file in `files`. */
export interface StreamedAanlevering {
  readonly document: unknown;
  /** In the order they occurred in the body. */
  readonly files: readonly StreamedFile[];
}

/** What stands in `document` where an inhoud was streamed to its sink. */
export { STREAMED_INHOUD };

export interface StreamedAanleveringLimits {
  /** Decoded bytes of one file; beyond it the aanlevering is refused as too large. */
  readonly maxFileBytes: number;
  /** Characters of any other string, and of any key. */
  readonly maxStringChars: number;
  /** Characters of the whole document without its streamed inhouden: keys, strings, numbers, and 1 per other token. */
  readonly maxDocumentChars: number;
  /** Nesting of objects and arrays; the aanleverRequest itself has 3. */
  readonly maxDepth: number;
  /** Attachments (berichtBijlagen) streamed; the koppelvlak allows 100. */
  readonly maxAttachments: number;
}

export const DEFAULT_STREAMED_LIMITS: Omit<StreamedAanleveringLimits, 'maxFileBytes'> = {
  maxStringChars: 64 * 1024,
  maxDocumentChars: 1024 * 1024,
  maxDepth: 32,
  maxAttachments: 100,
};

/** The body is cut into pieces of at most this before it is tokenized, so that one large chunk is never one large batch of tokens. */
const PIECE_BYTES = 64 * 1024;

const koppelvlakRefusal = (kind: Refusal['kind'], message: string, details?: unknown) => new Refusal(FOUTCODE.interfaceSpecificatie, kind, message, details);

/**
 * Reads an aanleveren JSON body as it streams in: the files to their sinks, the rest into `document`. Throws an
 * HttpException with a code (HTTP_BODY_NOT_UTF8, HTTP_JSON_*) for a body that is not acceptable JSON, and a Refusal
 * (ALS100) for an inhoud that is not base64 or too large. Whatever the failure, every sink that was opened is aborted.
 */
export async function readStreamedAanlevering(body: AsyncIterable<Uint8Array>, openSink: OpenFileSink, limits: StreamedAanleveringLimits): Promise<StreamedAanlevering> {
  const reader = new DocumentReader(openSink, limits);
  try {
    return await reader.read(body);
  } catch (error) {
    await reader.abortAll();
    throw error;
  }
}

type Frame =
  | { readonly kind: 'object'; readonly value: Record<string, unknown>; readonly keys: Set<string>; key: string | undefined; readonly path: string }
  | { readonly kind: 'array'; readonly value: unknown[]; readonly path: string };

/** A file being streamed: its sink, its decoder, and what went through so far. */
interface OpenFile {
  readonly slot: StreamedSlot;
  readonly field: string;
  readonly sink: FileSink;
  readonly decoder: Base64StreamDecoder;
  readonly hash: Hash;
  bytes: number;
}

/** The string being read: a key, a value, or a number's digits (numbers are read as strings are, piece by piece). */
type Text = { readonly kind: 'key' | 'string' | 'number'; value: string };

class DocumentReader {
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  private readonly tokenize = jsonParser({ packKeys: false, packStrings: false, packNumbers: false, streamValues: true });
  private readonly frames: Frame[] = [];
  private readonly sinks: FileSink[] = [];
  private readonly files: StreamedFile[] = [];
  private root: { value: unknown } | undefined;
  private text: Text | undefined;
  private file: OpenFile | undefined;
  private documentChars = 0;

  constructor(
    private readonly openSink: OpenFileSink,
    private readonly limits: StreamedAanleveringLimits,
  ) {}

  async read(body: AsyncIterable<Uint8Array>): Promise<StreamedAanlevering> {
    for await (const chunk of body) {
      for (let start = 0; start < chunk.byteLength; start += PIECE_BYTES) {
        const piece = chunk.subarray(start, start + PIECE_BYTES);
        await this.consume(this.tokens(this.decodeUtf8(piece, true)));
      }
    }
    const rest = this.decodeUtf8(new Uint8Array(0), false);
    if (rest) await this.consume(this.tokens(rest));
    await this.consume(this.tokens(none));
    if (this.root === undefined || this.frames.length > 0 || this.text !== undefined) throw truncated();
    return { document: this.root.value, files: this.files };
  }

  async abortAll(): Promise<void> {
    // Each is aborted even if another's abort fails: the first failure is not the only thing to clean up.
    await Promise.allSettled(this.sinks.map((sink) => sink.abort()));
  }

  private decodeUtf8(bytes: Uint8Array, stream: boolean): string {
    try {
      return this.utf8.decode(bytes, { stream });
    } catch {
      throw httpError(400, 'HTTP_BODY_NOT_UTF8', 'the body is not valid UTF-8');
    }
  }

  private tokens(text: string | typeof none): readonly Token[] {
    let out: unknown;
    try {
      // `none` is how a stream-chain stage is told that its input has ended (it is Flushable, its type says string).
      out = this.tokenize(text as string);
    } catch (error) {
      // At the end of the body, what the tokenizer still expects (a value, a key, a ':' …) is a document cut short;
      // a value it cannot read, a bad escape or stray characters are malformed wherever the body ends.
      if (text === none && !MALFORMED_AT_END.test((error as Error).message)) throw truncated();
      throw httpError(400, 'HTTP_JSON_MALFORMED', `the body is not valid JSON: ${(error as Error).message.replace(/^Parser /, '')}`);
    }
    if (out === none) return [];
    return isMany(out) ? (getManyValues(out) as Token[]) : [out as Token];
  }

  private async consume(tokens: readonly Token[]): Promise<void> {
    for (const token of tokens) {
      switch (token.name) {
        case 'startObject':
          this.open({ kind: 'object', value: {}, keys: new Set(), key: undefined, path: this.childPath() });
          break;
        case 'startArray':
          this.open({ kind: 'array', value: [], path: this.childPath() });
          break;
        case 'endObject':
        case 'endArray':
          this.frames.pop();
          break;
        case 'startKey':
          this.text = { kind: 'key', value: '' };
          break;
        case 'endKey':
          this.endKey();
          break;
        case 'startString':
          if (this.streamedSlot()) await this.openFile();
          else this.text = { kind: 'string', value: '' };
          break;
        case 'startNumber':
          this.text = { kind: 'number', value: '' };
          break;
        case 'stringChunk':
          if (this.file) await this.writeFile(token.value);
          else this.grow(token.value);
          break;
        case 'numberChunk':
          this.grow(token.value);
          break;
        case 'endString':
          if (this.file) await this.endFile();
          else this.place(this.takeText());
          break;
        case 'endNumber':
          this.place(Number(this.takeText()));
          break;
        case 'nullValue':
        case 'trueValue':
        case 'falseValue':
          this.count(1);
          this.place(token.value);
          break;
        default:
          // With every value streamed, the packed tokens (keyValue, stringValue, numberValue) do not occur.
          break;
      }
    }
  }

  private open(frame: Frame): void {
    if (this.frames.length >= this.limits.maxDepth) {
      throw httpError(400, 'HTTP_JSON_TOO_DEEP', `the body nests objects and arrays deeper than ${this.limits.maxDepth}`);
    }
    this.count(1);
    this.place(frame.value);
    this.frames.push(frame);
  }

  /** Puts a complete value where the document is: the root, the next element of an array, or an object's current key. */
  private place(value: unknown): void {
    const parent = this.frames.at(-1);
    if (!parent) {
      this.root = { value };
      return;
    }
    if (parent.kind === 'array') {
      parent.value.push(value);
      return;
    }
    // The key was checked in endKey: never __proto__, so this cannot change the object's prototype.
    parent.value[parent.key!] = value;
  }

  private endKey(): void {
    const key = this.takeText();
    const frame = this.frames.at(-1);
    if (frame?.kind !== 'object') throw new Error('a key outside an object');
    if (key === '__proto__' || (key === 'prototype' && this.parentKey(1) === 'constructor')) {
      throw httpError(400, 'HTTP_JSON_FORBIDDEN_KEY', `the key ${key} is not accepted (${frame.path || 'the document'})`);
    }
    if (frame.keys.has(key)) {
      throw httpError(400, 'HTTP_JSON_DUPLICATE_KEY', `the key ${key} occurs twice in ${frame.path || 'the document'}`, { veld: join(frame.path, key) });
    }
    frame.keys.add(key);
    frame.key = key;
  }

  private grow(piece: string): void {
    const text = this.text!;
    if (text.value.length + piece.length > this.limits.maxStringChars) {
      const what = text.kind === 'key' ? 'a key' : text.kind === 'number' ? 'the number' : 'the string';
      const where = text.kind === 'key' ? this.frames.at(-1)?.path : this.childPath();
      throw httpError(400, 'HTTP_JSON_STRING_TOO_LONG', `${what} at ${where || 'the document'} is longer than ${this.limits.maxStringChars} characters`, {
        veld: where ?? '',
      });
    }
    this.count(piece.length);
    text.value += piece;
  }

  private takeText(): string {
    const value = this.text!.value;
    this.text = undefined;
    return value;
  }

  private count(chars: number): void {
    this.documentChars += chars;
    if (this.documentChars > this.limits.maxDocumentChars) {
      throw httpError(400, 'HTTP_JSON_TOO_LARGE', `the body without its inhoud is larger than ${this.limits.maxDocumentChars} characters`);
    }
  }

  /** The key of the object `up` frames above the current one (0: the current one), if it is an object. */
  private parentKey(up: number): string | undefined {
    const frame = this.frames.at(-1 - up);
    return frame?.kind === 'object' ? frame.key : undefined;
  }

  /** Where the value that comes next stands, as the koppelvlak's refusals name fields (berichtBijlagen.0.inhoud). */
  private childPath(): string {
    const frame = this.frames.at(-1);
    if (!frame) return '';
    return join(frame.path, frame.kind === 'array' ? String(frame.value.length) : frame.key!);
  }

  /** The slot of a string that begins here, if it is one the reader streams. */
  private streamedSlot(): StreamedSlot | undefined {
    const [root, second, third] = this.frames;
    const depth = this.frames.length;
    if (root?.kind !== 'object' || this.frames.at(-1)?.kind !== 'object' || this.parentKey(0) !== 'inhoud') return undefined;
    if (depth === 2 && root.key === 'berichtInhoud') return { kind: 'content' };
    if (depth === 3 && root.key === 'berichtBijlagen' && second?.kind === 'array' && third !== undefined) {
      return { kind: 'attachment', index: second.value.length - 1 };
    }
    return undefined;
  }

  private async openFile(): Promise<void> {
    const slot = this.streamedSlot()!;
    if (slot.kind === 'attachment' && slot.index >= this.limits.maxAttachments) {
      throw koppelvlakRefusal('invalid', `het verzoek heeft meer dan ${this.limits.maxAttachments} bijlagen`);
    }
    const field = this.childPath();
    const sink = await this.openSink(slot);
    this.sinks.push(sink);
    this.file = { slot, field, sink, decoder: new Base64StreamDecoder(), hash: createHash('sha256'), bytes: 0 };
  }

  private async writeFile(text: string): Promise<void> {
    const file = this.file!;
    let batches: Buffer[];
    try {
      batches = file.decoder.push(text);
    } catch (error) {
      throw notBase64(file, error);
    }
    for (const bytes of batches) await this.pass(file, bytes);
  }

  private async endFile(): Promise<void> {
    const file = this.file!;
    let bytes: Buffer;
    try {
      bytes = file.decoder.end();
    } catch (error) {
      throw notBase64(file, error);
    }
    await this.pass(file, bytes);
    if (file.bytes === 0) throw koppelvlakRefusal('invalid', `${file.field} is leeg`, { veld: file.field });
    await file.sink.end();
    this.files.push({ slot: file.slot, bytes: file.bytes, sha256: file.hash.digest('hex') });
    this.file = undefined;
    this.place(STREAMED_INHOUD);
  }

  private async pass(file: OpenFile, bytes: Buffer): Promise<void> {
    if (bytes.byteLength === 0) return;
    file.bytes += bytes.byteLength;
    if (file.bytes > this.limits.maxFileBytes) {
      throw koppelvlakRefusal('too-large', `${file.field} is groter dan ${this.limits.maxFileBytes} bytes`, { veld: file.field });
    }
    file.hash.update(bytes);
    await file.sink.write(bytes);
  }
}

const MALFORMED_AT_END = /^Parser cannot parse input: (expected a value|escaped characters|unexpected)/;

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

const truncated = (): HttpException => httpError(400, 'HTTP_JSON_TRUNCATED', 'the body ends before its JSON document does');

function notBase64(file: OpenFile, error: unknown): Refusal {
  if (!(error instanceof Base64Error)) throw error;
  return koppelvlakRefusal('invalid', `${file.field} is geen geldige base64: ${error.message}`, { veld: file.field, ...error.problem });
}
