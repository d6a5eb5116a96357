import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';

import type { Dispatcher } from 'undici';

import { count, emptySubmissions, type Submissions, type SubmitOutcome } from './submit.js';

// The bulk channel (docs/bulk.md): messages go in NDJSON bulks of B, C bulks at a time (closed loop), each answered
// line by line while it streams. A message's receipt latency runs from its bulk's start to its own answer line.

/** Sends messages first … first+count-1 as one bulk; calls onItem for each answer line as it arrives. */
export type SubmitBulk = (first: number, count: number, onItem: (index: number, outcome: SubmitOutcome) => void) => Promise<void>;

/** N messages in bulks of `bulkSize`, `concurrency` bulks in flight: each worker sends its next bulk when the last is answered. */
export async function bulkLoop(n: number, bulkSize: number, concurrency: number, submit: SubmitBulk, onStart: () => void): Promise<Submissions> {
  const result = emptySubmissions();
  let next = 0;
  onStart();
  result.firstSubmit = Date.now();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let first = next; first < n; first = next) {
        next += bulkSize;
        const size = Math.min(bulkSize, n - first);
        const startedAt = Date.now();
        const t0 = performance.now();
        let answered = 0;
        try {
          await submit(first, size, (_index, outcome) => {
            answered++;
            if ('kenmerk' in outcome) {
              result.receiptMs.push(performance.now() - t0);
              result.startedAt.set(outcome.kenmerk, startedAt);
            } else count(result.rejections, outcome.refused);
          });
        } catch (error) {
          count(result.rejections, `bulk broke off: ${(error as Error).message}`);
        }
        // Items the bulk never answered (it broke off, or was cut short) are refusals too.
        for (let missing = answered; missing < size; missing++) count(result.rejections, 'no answer line');
      }
    }),
  );
  result.submitWallMs = performance.now() - start;
  return result;
}

/** POST /api/v1/bulk with the NDJSON of `line(first…)`, the answer read line by line as it streams back. */
export function restBulkSubmit(dispatcher: Dispatcher, ingressUrl: string, line: (index: number) => string): SubmitBulk {
  const url = `${ingressUrl}/api/v1/bulk`;
  return async (first, size, onItem) => {
    const body = Readable.from(
      (function* () {
        for (let index = first; index < first + size; index++) yield `${line(index)}\n`;
      })(),
    );
    const response = await dispatcher.request({ origin: new URL(url).origin, path: '/api/v1/bulk', method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
    if (response.statusCode !== 200) {
      const text = await response.body.text();
      throw new Error(`HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
    }
    let rest = '';
    const take = (text: string) => {
      const answer = JSON.parse(text) as { index?: number; kenmerk?: string; fout?: { foutcode: string; foutbeschrijving: string } };
      if (answer.index === undefined) return;
      onItem(first + answer.index, answer.kenmerk ? { kenmerk: answer.kenmerk } : { refused: `${answer.fout?.foutcode}: ${answer.fout?.foutbeschrijving.slice(0, 160)}` });
    };
    for await (const chunk of response.body) {
      const parts = (rest + (chunk as Buffer).toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      for (const part of parts) if (part.length > 0) take(part);
    }
    if (rest.length > 0) take(rest);
  };
}
