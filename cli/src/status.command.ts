import { EXIT, type ExitCode } from './exit-codes.js';
import { PoortHttp } from './poort-http.js';
import { processOutcome } from './process-outcome.js';
import { endpoint, readTls, type Settings } from './settings.js';
import { StatusClient } from './status-client.js';
import { table } from './summary.js';

export interface StatusOptions {
  /** Every status of each process, not only the latest. */
  readonly history: boolean;
  readonly json: boolean;
}

/** poort status: the statuses of the kenmerken named, now; exit 4 when one of them ended in failure. */
export async function statusCommand(kenmerken: readonly string[], options: StatusOptions, settings: Settings): Promise<ExitCode> {
  const http = new PoortHttp(readTls(settings), 4);
  const client = new StatusClient(http, endpoint(settings, 'notification'));
  try {
    let failed = false;
    const rows: string[][] = [];
    const all: Record<string, unknown> = {};
    for (const kenmerk of kenmerken) {
      const answer = await client.statussen(kenmerk);
      if ('refusal' in answer) {
        failed = true;
        all[kenmerk] = { fout: answer.refusal };
        rows.push([kenmerk, '', `refused: ${answer.refusal.code}`, answer.refusal.message.slice(0, 100), '']);
        continue;
      }
      all[kenmerk] = answer.statuses;
      const outcome = processOutcome(answer.statuses);
      if (outcome.kind === 'ended' && outcome.failed) failed = true;
      const shown = options.history ? answer.statuses : answer.statuses.slice(-1);
      if (shown.length === 0) rows.push([kenmerk, '', '(no statuses: unknown to this certificate, or not yet)', '', '']);
      for (const status of shown) {
        rows.push([kenmerk, status.statuscode, status.statusomschrijving, status.statusFoutcode?.foutcode ?? '', status === answer.statuses.at(-1) ? (outcome.kind === 'ended' ? (outcome.failed ? 'ended: failed' : 'ended') : 'going') : '']);
      }
    }
    if (options.json) console.log(JSON.stringify(all, null, 2));
    else console.log(table(['kenmerk', 'status', 'omschrijving', 'foutcode', 'state'], rows));
    return failed ? EXIT.failed : EXIT.ok;
  } finally {
    http.close();
  }
}
