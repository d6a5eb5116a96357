import type { Readable } from 'node:stream';

import { Body, Controller, Get, HttpCode, Injectable, Param, Post, Put, Req, Res, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { Refusal, type AanleverResponse } from '@poort/contracts';
import { Caller, RequireClient } from '@poort/nest-edge';
import { ApiRefusals, REFUSAL_HTTP_STATUS, jsonSchemaOf } from '@poort/nest-kit';
import type { ClientIdentity } from '@poort/pki';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { AanleverResponseSchema } from '../submission/aanlever-response.schema.js';
import { Aankondiging, UploadState } from './aankondiging.dto.js';
import { GroteBerichtenService } from './grote-berichten.service.js';

export const OCTET_STREAM = 'application/octet-stream';

/**
 * Hands an application/octet-stream body (a PUT of an upload's bytes) to its route as the stream it is: never
 * buffered, never held to HTTP_DEFAULT_BODY_LIMIT_BYTES; the route stores it row by row within its Content-Range.
 */
@Injectable()
export class OctetStreamBodyParser implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addContentTypeParser(OCTET_STREAM, (_request, payload, done) => done(null, payload));
  }
}

const UPLOAD_ID = { name: 'uploadId', description: 'the uploadId of the announcement (its location)', schema: { type: 'string', format: 'uuid' } } as const;

/**
 * Digikoppeling Grote Berichten, sender side (docs/grote-berichten.md): announce a large file, PUT its bytes in ranges,
 * read what is missing. Same client identity as POST /api/v1/aanleveren; only the announcing sender sees its upload.
 */
@Controller('api/v1/grote-berichten')
export class GroteBerichtenController {
  constructor(private readonly groteBerichten: GroteBerichtenService) {}

  @Post()
  @RequireClient()
  @ApiOperation({
    operationId: 'grootBerichtAankondigen',
    summary: 'Announce a large file: the envelope of an aanleveren with a description of the file (bestand) instead of its content',
  })
  @ApiBody({ schema: jsonSchemaOf(Aankondiging, 'input') })
  @ApiCreatedResponse({ description: 'a new upload: PUT its bytes to location', schema: jsonSchemaOf(UploadState) })
  @ApiOkResponse({ description: 'the upload announced before under this aanleverkenmerk (with its kenmerk once complete)', schema: jsonSchemaOf(UploadState) })
  @ApiRefusals(
    REFUSAL_HTTP_STATUS.invalid,
    401,
    REFUSAL_HTTP_STATUS.conflict,
    REFUSAL_HTTP_STATUS['too-large'],
    REFUSAL_HTTP_STATUS['unsupported-media-type'],
    REFUSAL_HTTP_STATUS.overloaded,
  )
  async announce(@Caller() caller: ClientIdentity, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<UploadState> {
    const { state, created } = await this.groteBerichten.announce(caller, body);
    void reply.status(created ? 201 : 200).header('location', state.location);
    return state;
  }

  @Get(':uploadId')
  @RequireClient()
  @ApiOperation({ operationId: 'grootBerichtStatus', summary: 'The state of an upload: the byte ranges received and missing, and its kenmerk once complete' })
  @ApiParam(UPLOAD_ID)
  @ApiOkResponse({ schema: jsonSchemaOf(UploadState) })
  @ApiRefusals(401, REFUSAL_HTTP_STATUS['not-found'])
  state(@Caller() caller: ClientIdentity, @Param('uploadId') uploadId: string): Promise<UploadState> {
    return this.groteBerichten.state(caller, uploadId);
  }

  @Put(':uploadId')
  @HttpCode(200)
  @RequireClient()
  @ApiOperation({
    operationId: 'grootBerichtUploaden',
    summary: 'Upload bytes of the file, in any order; the PUT that completes it is answered with the aanleverResponse of its message',
  })
  @ApiParam(UPLOAD_ID)
  @ApiHeader({ name: 'Content-Range', required: true, description: 'bytes first-last/size: the bytes this body carries (both included) and the announced size' })
  @ApiConsumes(OCTET_STREAM)
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiOkResponse({ description: 'stored; the file is not complete yet (ontbrekend says what is missing)', schema: jsonSchemaOf(UploadState) })
  @ApiCreatedResponse({ description: 'the file is complete and checked: the aanleverResponse of its message', schema: jsonSchemaOf(AanleverResponseSchema) })
  @ApiRefusals(
    REFUSAL_HTTP_STATUS.invalid,
    401,
    REFUSAL_HTTP_STATUS['not-found'],
    REFUSAL_HTTP_STATUS.conflict,
    REFUSAL_HTTP_STATUS.gone,
    REFUSAL_HTTP_STATUS['unsupported-media-type'],
    REFUSAL_HTTP_STATUS['range-not-satisfiable'],
    REFUSAL_HTTP_STATUS.unprocessable,
    REFUSAL_HTTP_STATUS.overloaded,
  )
  async upload(
    @Caller() caller: ClientIdentity,
    @Param('uploadId') uploadId: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UploadState | AanleverResponse> {
    if (!isStream(request.body)) throw new Refusal('UPLOAD_MEDIA_TYPE', 'unsupported-media-type', `the bytes of an upload are sent as ${OCTET_STREAM}`);
    const declared = request.headers['content-length'];
    const outcome = await this.groteBerichten.put(caller, uploadId, {
      contentRange: request.raw.headersDistinct['content-range'],
      contentLength: declared === undefined ? undefined : Number(declared),
      body: request.body,
    });
    if (!outcome.completed) return outcome.state;
    void reply.status(201);
    return outcome.receipt;
  }
}

const isStream = (body: unknown): body is Readable => typeof (body as Readable | undefined)?.[Symbol.asyncIterator] === 'function';
