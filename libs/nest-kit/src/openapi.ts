import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import { Module, applyDecorators, type Provider, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ApiResponse, DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { z } from 'zod';

import { REFUSAL_HTTP_STATUS } from './http-error.filter.js';
import { RequestAdmissions } from './request-admissions.js';

/** Where every service with a REST API serves its OpenAPI document, without a client certificate. */
export const OPENAPI_PATH = '/openapi.json';

/** A service's REST API as an OpenAPI document describes it: its title, and the controllers that make it up. */
export interface OpenApiDescription {
  readonly title: string;
  readonly description: string;
  readonly version: string;
  /** Only these controllers: health, metrics and the WUS endpoints are not part of the REST API. */
  readonly controllers: readonly Type[];
  /** What the controllers and their guards inject: only resolved, never instantiated (see buildOpenApiDocument). */
  readonly providers?: readonly Provider[];
}

/** A stand-in for what a controller injects: the document is built without instantiating anything. */
export const unusedInDocument = (token: Type | symbol | string): Provider => ({ provide: token, useValue: {} });

/**
 * A zod schema as the JSON Schema (2020-12, OpenAPI 3.1's dialect) of a request ('input') or a response ('output').
 * Refinements (plain text, elfproef, base64) have no JSON Schema form and are left to their descriptions; of a
 * pipe, the input side is described for requests.
 */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return jsonSchema;
}

/** Poort's ErrorBody (see renderJsonRefusal): the body of every REST refusal. */
const ErrorBodySchema = z
  .strictObject({
    code: z.string().describe('a Digipoort foutcode (ALS100, STS100, …) or a Poort code (CERT_UNTRUSTED, HTTP_413, …)'),
    message: z.string().describe('for the caller; Dutch with a Digipoort foutcode, English with a Poort code'),
    details: z.unknown().optional().describe('what the code needs, such as the issues of a request that is not the koppelvlak'),
    errorId: z.string().optional().describe('only on INTERNAL_ERROR: the id under which the cause is logged'),
  })
  .meta({ title: 'ErrorBody' });

/** OpenAPI 3.1's mutualTLS scheme (@nestjs/swagger's types know only the 3.0 schemes, hence the cast where it is used). */
const MUTUAL_TLS = {
  type: 'mutualTLS',
  description: "Two-way TLS with a PKIoverheid certificate (in tests: the Poort test CA's) carrying the caller's OIN",
};

const ERROR_BODY_REF = { $ref: '#/components/schemas/ErrorBody' };

/** What each refusal status means on Poort's REST API. */
const REFUSAL_DESCRIPTIONS: Readonly<Record<number, string>> = {
  [REFUSAL_HTTP_STATUS.invalid]: 'the request does not meet the interface or the rules (ErrorBody with the foutcode)',
  401: 'no acceptable client certificate with an OIN (CERT_*)',
  [REFUSAL_HTTP_STATUS['not-found']]: 'nothing of that name for this caller',
  [REFUSAL_HTTP_STATUS['too-large']]: 'the body or a file in it is larger than allowed',
  [REFUSAL_HTTP_STATUS['unsupported-media-type']]: 'a MIME type the message type does not accept',
  [REFUSAL_HTTP_STATUS.gone]: 'it existed but is over (expired)',
  [REFUSAL_HTTP_STATUS['range-not-satisfiable']]: 'a byte range that does not fit the file it names',
  [REFUSAL_HTTP_STATUS.overloaded]:
    "Poort is busy (Digipoort's busy answer, foutcode ALS400; details.belasting OVERBELAST: the chain is behind, ZWAARBELAST: this instance has too many requests at once); the same request may succeed after Retry-After",
};

/** The header of a busy answer (RFC 9110 10.2.3). */
const RETRY_AFTER = {
  'Retry-After': { description: 'whole seconds after which the same request is worth trying again', schema: { type: 'integer', minimum: 0 } },
};

/** The refusals an endpoint answers, each with Poort's ErrorBody. */
export const ApiRefusals = (...statuses: number[]): MethodDecorator =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: REFUSAL_DESCRIPTIONS[status] ?? 'refused',
        content: { 'application/json': { schema: ERROR_BODY_REF } },
        ...(status === REFUSAL_HTTP_STATUS.overloaded ? { headers: RETRY_AFTER } : {}),
      }),
    ),
  );

/**
 * The OpenAPI 3.1 document of a service's REST API, generated from its controllers' decorators. Nest runs in preview
 * mode (nothing instantiated), so this needs no Kafka, Postgres or configuration.
 */
export async function buildOpenApiDocument(api: OpenApiDescription): Promise<OpenAPIObject> {
  @Module({ controllers: [...api.controllers], providers: [RequestAdmissions, ...(api.providers ?? [])] })
  class RestApiModule {}
  const app = await NestFactory.create(RestApiModule, new FastifyAdapter(), { preview: true, logger: false, abortOnError: false });
  try {
    const config = new DocumentBuilder()
      .setOpenAPIVersion('3.1.0')
      .setTitle(api.title)
      .setDescription(api.description)
      .setVersion(api.version)
      .build();
    const document = SwaggerModule.createDocument(app, config);
    return {
      ...document,
      components: {
        ...document.components,
        schemas: { ...document.components?.schemas, ErrorBody: jsonSchemaOf(ErrorBodySchema) },
        securitySchemes: { mutualTLS: MUTUAL_TLS },
      },
      security: [{ mutualTLS: [] }],
    } as OpenAPIObject;
  } finally {
    await app.close();
  }
}

/** Writes the document as it is committed: two-space JSON with a final newline, so that a diff reads well. */
export function writeOpenApiDocument(document: OpenAPIObject, file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, serializeOpenApiDocument(document));
}

export function serializeOpenApiDocument(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * Serves the document at OPENAPI_PATH without a client certificate: it describes the public koppelvlak and holds
 * nothing secret, and an integrator reads it before it has a certificate (the TLS port is the same).
 */
export function serveOpenApiDocument(adapter: FastifyAdapter, document: OpenAPIObject): void {
  const body = serializeOpenApiDocument(document);
  adapter.getInstance().get(OPENAPI_PATH, (_request, reply) => reply.header('content-type', 'application/json; charset=utf-8').send(body));
}
