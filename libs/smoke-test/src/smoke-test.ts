import { setTimeout as sleep } from 'node:timers/promises';

import type { MtlsJson } from './mtls-json.js';
import { verdictOf, type SeenStatus, type Verdict } from './verdict.js';

export interface SmokeTestPlan {
  readonly ingressUrl: string;
  readonly notificationUrl: string;
  readonly berichtsoort: string;
  readonly content: Buffer;
  readonly mimeType: string;
  readonly bestandsnaam: string;
  readonly expectedStatus: string;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
}

export type SmokeTestResult = { readonly kenmerk?: string; readonly elapsedMs: number } & Exclude<Verdict, { kind: 'waiting' }>;

/** Submits one message (aanleveren over REST) and follows its statuses until the expected one, a final error or the timeout. */
export async function runSmokeTest(client: MtlsJson, plan: SmokeTestPlan, log: (fields: object) => void): Promise<SmokeTestResult> {
  const started = Date.now();
  const elapsedMs = () => Date.now() - started;
  const submitted = await client.post(`${plan.ingressUrl}/api/v1/aanleveren`, {
    berichtsoort: plan.berichtsoort,
    aanleverkenmerk: `smoke-${started}`,
    identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
    rolBelanghebbende: 'Bedrijf',
    berichtInhoud: { mimeType: plan.mimeType, bestandsnaam: plan.bestandsnaam, inhoud: plan.content.toString('base64') },
  });
  const kenmerk = (submitted.body as { kenmerk?: unknown }).kenmerk;
  if (submitted.status !== 200 || typeof kenmerk !== 'string') {
    return { kind: 'failed', status: `HTTP ${submitted.status}`, detail: JSON.stringify(submitted.body).slice(0, 500), elapsedMs: elapsedMs() };
  }
  log({ kenmerk, msg: 'submitted' });
  const statusUrl = `${plan.notificationUrl}/api/v1/processen/${encodeURIComponent(kenmerk)}/statussen`;
  let seen: readonly SeenStatus[] = [];
  while (elapsedMs() < plan.timeoutMs) {
    const response = await client.get(statusUrl);
    if (response.status === 200 && Array.isArray(response.body)) {
      seen = response.body as SeenStatus[];
      const verdict = verdictOf(seen, plan.expectedStatus);
      if (verdict.kind !== 'waiting') return { ...verdict, kenmerk, elapsedMs: elapsedMs() };
    } else if (response.status !== 404) {
      log({ kenmerk, status: response.status, msg: 'status API answered unexpectedly; retrying' });
    }
    await sleep(plan.pollIntervalMs);
  }
  const codes = seen.map((status) => status.statuscode).join(', ') || 'none';
  return { kind: 'failed', status: 'TIMEOUT', detail: `no status ${plan.expectedStatus} within ${plan.timeoutMs} ms (seen: ${codes})`, kenmerk, elapsedMs: elapsedMs() };
}
