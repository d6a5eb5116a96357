import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * A check that runs when a request's headers have arrived and before its body is read (Fastify's onRequest): who
 * is calling, and may they use this route at all. It throws to refuse; the body is then never read.
 */
export interface RequestAdmission {
  admit(request: FastifyRequest): void | Promise<void>;
}

/** The admissions of a service, registered by its edge modules; the HTTP server runs them on every request. */
@Injectable()
export class RequestAdmissions {
  private readonly admissions: RequestAdmission[] = [];

  register(admission: RequestAdmission): void {
    this.admissions.push(admission);
  }

  async admit(request: FastifyRequest): Promise<void> {
    for (const admission of this.admissions) await admission.admit(request);
  }
}
