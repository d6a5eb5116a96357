import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import type { MtlsClient } from '@poort/testing';

import { AANLEVEREN_ACTION, kenmerkOf, type SignedRequest } from './wus-request.js';

// How the load is offered. A Submit sends message number i over one channel and says what came back; the two
// loads decide when each is sent: closed loop (C workers, each sends the next as soon as it has an answer) or
// open loop (message i at the i-th slot of a fixed rate, whatever the answers).

export type SubmitOutcome = { readonly kenmerk: string } | { readonly refused: string };
export type Submit = (index: number) => Promise<SubmitOutcome>;

/** What the submissions gave, for the report and for the wait for status 400. */
export interface Submissions {
  /** kenmerk → epoch ms the request started (open loop: its slot, see openLoop). */
  readonly startedAt: Map<string, number>;
  /** Per accepted message: request start (or slot) → 200 receipt, ms. */
  readonly receiptMs: number[];
  /** Refusal reason → count. */
  readonly rejections: Map<string, number>;
  /** Epoch ms of the first submission: the start of the measured window. */
  firstSubmit: number;
  /** First submission → last answer, ms. */
  submitWallMs: number;
  /** Open loop only: how late the generator sent each request after its slot, ms. */
  readonly lagMs: number[];
}

export function emptySubmissions(): Submissions {
  return { startedAt: new Map(), receiptMs: [], rejections: new Map(), firstSubmit: NaN, submitWallMs: NaN, lagMs: [] };
}

/** One request; `startedAt`/`t0` are when its latency starts counting. */
async function submitOne(submit: Submit, index: number, startedAt: number, t0: number, into: Submissions): Promise<void> {
  try {
    const outcome = await submit(index);
    if ('kenmerk' in outcome) {
      into.receiptMs.push(performance.now() - t0);
      into.startedAt.set(outcome.kenmerk, startedAt);
    } else count(into.rejections, outcome.refused);
  } catch (error) {
    count(into.rejections, (error as Error).message);
  }
}

/** N messages by C workers: each sends its next message as soon as the previous one is answered. */
export async function closedLoop(n: number, concurrency: number, submit: Submit, onStart: () => void): Promise<Submissions> {
  const result = emptySubmissions();
  let next = 0;
  onStart();
  result.firstSubmit = Date.now();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < n; i = next++) await submitOne(submit, i, Date.now(), performance.now(), result);
    }),
  );
  result.submitWallMs = performance.now() - start;
  return result;
}

/**
 * rate × duration messages, message i in its own slot at start + i / rate, sent whether or not earlier ones were
 * answered. Latency counts from the slot, not from when the request actually left: should the generator itself
 * fall behind, that shows in the latencies (and in lagMs) instead of being hidden (coordinated omission).
 */
export async function openLoop(rate: number, durationS: number, submit: Submit, onStart: () => void): Promise<Submissions> {
  const result = emptySubmissions();
  const n = Math.round(rate * durationS);
  const pending: Promise<void>[] = [];
  onStart();
  result.firstSubmit = Date.now();
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const slot = start + (i * 1000) / rate;
    const wait = slot - performance.now();
    if (wait > 1) await sleep(wait);
    result.lagMs.push(Math.max(0, performance.now() - slot));
    pending.push(submitOne(submit, i, result.firstSubmit + (slot - start), slot, result));
  }
  await Promise.all(pending);
  result.submitWallMs = performance.now() - start;
  return result;
}

/** The REST channel: POST /api/v1/aanleveren with a JSON body, the invoice base64 inside. */
export function restSubmit(clients: readonly MtlsClient[], ingressUrl: string, body: (index: number) => string): Submit {
  const url = `${ingressUrl}/api/v1/aanleveren`;
  return async (index) => {
    const response = await clients[index % clients.length]!.post<{ kenmerk?: string }>(url, body(index));
    if (response.status === 200 && typeof response.body.kenmerk === 'string') return { kenmerk: response.body.kenmerk };
    return { refused: `HTTP ${response.status}: ${JSON.stringify(response.body).slice(0, 200)}` };
  };
}

/** The WUS channel: request i is the i-th of the requests signed before the run (signing is the client's cost). */
export function wusSubmit(clients: readonly MtlsClient[], endpointUrl: string, signed: readonly SignedRequest[]): Submit {
  const headers = { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${AANLEVEREN_ACTION}"` };
  return async (index) => {
    const response = await clients[index % clients.length]!.post<string>(endpointUrl, signed[index]!.xml, headers);
    const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
    const kenmerk = response.status === 200 ? kenmerkOf(text) : undefined;
    if (kenmerk) return { kenmerk };
    const fault = /<(?:[\w.-]+:)?faultstring>([^<]*)</.exec(text)?.[1];
    return { refused: `HTTP ${response.status}: ${(fault ?? text).slice(0, 200)}` };
  };
}

export function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
