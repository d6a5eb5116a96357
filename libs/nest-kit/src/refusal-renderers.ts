import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/**
 * Renders every refusal on a group of paths in another shape than Poort's JSON ErrorBody (the WUS endpoints answer
 * SOAP faults). Edge modules register one; the error filter asks, and needs to know nothing about them.
 */
export interface RefusalRenderer {
  handles(path: string): boolean;
  render(reply: FastifyReply, error: unknown): void;
}

@Injectable()
export class RefusalRenderers {
  private readonly renderers: RefusalRenderer[] = [];

  register(renderer: RefusalRenderer): void {
    this.renderers.push(renderer);
  }

  for(url: string): RefusalRenderer | undefined {
    const path = url.split('?')[0] ?? '';
    return this.renderers.find((renderer) => renderer.handles(path));
  }
}
