import { Injectable } from '@nestjs/common';

/** A refusal as it goes on the wire. */
export interface RenderedRefusal {
  readonly status: number;
  /** The error code it carries (ErrorBody code, or the fault's foutcode): what refusals are counted by. */
  readonly code: string;
  readonly contentType: string;
  readonly body: string;
  /** Headers the refusal carries besides its content type (Retry-After of a busy answer). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Renders every refusal on a group of paths in another shape than Poort's JSON ErrorBody (the WUS endpoints answer
 * SOAP faults). Edge modules register one; the error filter and the HTTP server's own refusals ask, and need to know
 * nothing about them.
 */
export interface RefusalRenderer {
  handles(path: string): boolean;
  render(error: unknown): RenderedRefusal;
}

@Injectable()
export class RefusalRenderers {
  private readonly renderers: RefusalRenderer[] = [];

  register(renderer: RefusalRenderer): void {
    this.renderers.push(renderer);
  }

  for(url: string | undefined): RefusalRenderer | undefined {
    if (url === undefined) return undefined;
    const path = url.split('?')[0] ?? '';
    return this.renderers.find((renderer) => renderer.handles(path));
  }
}
