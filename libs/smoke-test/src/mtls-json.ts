import { Agent, request } from 'node:https';

export interface JsonResponse {
  readonly status: number;
  readonly body: unknown;
}

/** JSON over HTTPS with a client certificate: all the smoke test needs, without a client library in the image. */
export class MtlsJson {
  private readonly agent: Agent;

  constructor(tls: { readonly ca: string; readonly cert: string; readonly key: string }) {
    this.agent = new Agent({ ...tls, keepAlive: true, rejectUnauthorized: true });
  }

  get(url: string): Promise<JsonResponse> {
    return this.send('GET', url);
  }

  post(url: string, body: unknown): Promise<JsonResponse> {
    return this.send('POST', url, JSON.stringify(body));
  }

  close(): void {
    this.agent.destroy();
  }

  private send(method: string, url: string, body?: string): Promise<JsonResponse> {
    return new Promise((resolve, reject) => {
      const req = request(url, { method, agent: this.agent, timeout: 30_000, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: the text as it came
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer within 30 s`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}
