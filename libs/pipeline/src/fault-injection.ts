import { readFileSync } from 'node:fs';

/**
 * For tests of the fault handling only (POORT_FAULT_FILE, off unless set): a file of lines `<stage> <aanleverkenmerk>`
 * makes that stage fail every event of that message, as a bug would, until the line is removed (the "fix"). Read on
 * every event, so a test can break and mend a running service.
 */
export class FaultInjection {
  constructor(private readonly file: string) {}

  failureFor(stage: string, event: unknown): Error | undefined {
    const aanleverkenmerk = (event as { envelope?: { aanleverkenmerk?: string } }).envelope?.aanleverkenmerk;
    if (!aanleverkenmerk) return undefined;
    let lines: string[];
    try {
      lines = readFileSync(this.file, 'utf8').split('\n');
    } catch {
      return undefined;
    }
    const hit = lines.some((line) => line.trim() === `${stage} ${aanleverkenmerk}`);
    return hit ? new Error(`injected fault in ${stage} for ${aanleverkenmerk}`) : undefined;
  }
}
