import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';

import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Throws unless the document is a valid OpenAPI 3.1 document (by the 3.1 schema and swagger-parser's checks). */
export async function validateOpenApi31(document: unknown): Promise<void> {
  const version = (document as { openapi?: unknown }).openapi;
  if (typeof version !== 'string' || !/^3\.1\.\d+$/.test(version)) throw new Error(`not an OpenAPI 3.1 document: openapi is ${JSON.stringify(version)}`);
  // validate dereferences in place: the caller's document stays as it was.
  await SwaggerParser.validate(structuredClone(document) as Parameters<typeof SwaggerParser.validate>[0]);
}

/**
 * Why a generated document is not the committed one (undefined when it is): the first place they differ, and what
 * to do about it.
 */
export function committedOpenApiDifference(generated: unknown, committedFile: string): string | undefined {
  const committed = JSON.parse(readFileSync(committedFile, 'utf8')) as Json;
  const where = firstDifference(JSON.parse(JSON.stringify(generated)) as Json, committed, '');
  if (where === undefined) return undefined;
  return `${committedFile} is not the document the code generates (they differ at ${where || '/'}): run \`pnpm run openapi\` and commit the result`;
}

function firstDifference(a: Json, b: Json, path: string): string | undefined {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return path;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const left = (a as Record<string, Json>)[key];
    const right = (b as Record<string, Json>)[key];
    if (left === undefined || right === undefined) return `${path}/${key}`;
    const inner = firstDifference(left, right, `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`);
    if (inner !== undefined) return inner;
  }
  return path;
}

/**
 * Checks answers against what an OpenAPI 3.1 document says of them: the status must be one the operation documents,
 * and the JSON body must validate against that response's schema (JSON Schema 2020-12, with formats).
 */
export class OpenApiConformance {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });

  constructor(private readonly document: { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> }) {
    addFormats.default(this.ajv);
    this.ajv.addSchema(document as object, 'openapi.json');
  }

  /**
   * The problems of an answer to `method` on the documented `path` (its template, as in the document); [] when it
   * conforms. `mediaType` names the documented content to check against (an NDJSON answer: check each line).
   */
  problems(method: string, path: string, status: number, body: unknown, mediaType = 'application/json'): string[] {
    const operation = this.document.paths[path]?.[method.toLowerCase()];
    if (!operation) return [`${method} ${path} is not in the document`];
    const response = operation.responses[String(status)];
    if (!response) return [`${method} ${path} answered ${status}, which the document does not list (${Object.keys(operation.responses).join(', ')})`];
    if (!response.content?.[mediaType]) return mediaType === 'application/json' ? [] : [`${method} ${path} ${status} has no ${mediaType} content`];
    const pointer = ['paths', path, method.toLowerCase(), 'responses', String(status), 'content', mediaType, 'schema']
      .map((part) => encodeURIComponent(part.replaceAll('~', '~0').replaceAll('/', '~1')))
      .join('/');
    const validate = this.ajv.getSchema(`openapi.json#/${pointer}`);
    if (!validate) return [`no schema at ${pointer}`];
    if (validate(body)) return [];
    return (validate.errors ?? []).map((error) => `${method} ${path} ${status}: ${error.instancePath || '(body)'} ${error.message ?? 'is invalid'}`);
  }
}
