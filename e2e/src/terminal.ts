import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

import { waitFor } from '@poort/testing';

/**
 * A real terminal for a command-line program under test: a tmux session on a tmux server of its own (its own
 * socket, so the tests never touch anyone's tmux). The test reads the screen as a user sees it (capture-pane) and
 * types keys (send-keys, e.g. C-c).
 */
export class Terminal {
  private readonly socket = `poort-e2e-${randomBytes(4).toString('hex')}`;
  private sessions = 0;

  /**
   * Runs `command` (a shell command line) in a new session of `columns` × `rows` in `cwd`; when it ends, the
   * terminal shows `EXIT=<code>` and stays open to be read. Returns the session's name.
   */
  run(command: string, cwd: string, { columns = 200, rows = 50 } = {}): string {
    const session = `s${++this.sessions}`;
    // remain-on-exit: should a key (C-c) reach the shell after the command ended, the pane stays to be read.
    this.tmux(
      'new-session', '-d', '-s', session, '-x', String(columns), '-y', String(rows), '-c', cwd, `${command}; echo "EXIT=$?"; sleep 3600`,
      ';', 'set-option', '-t', session, 'remain-on-exit', 'on',
    );
    return session;
  }

  /** The screen and its scroll-back, as text. */
  screen(session: string): string {
    return this.tmux('capture-pane', '-p', '-J', '-t', session, '-S', '-5000');
  }

  keys(session: string, ...keys: string[]): void {
    this.tmux('send-keys', '-t', session, ...keys);
  }

  /** The command's exit code, once it has ended. */
  async exitCode(session: string, timeoutMs: number): Promise<number> {
    const code = await waitFor(`the command in ${session} to end`, async () => /^EXIT=(\d+)\s*$/m.exec(this.screen(session))?.[1], timeoutMs, 250);
    return Number(code);
  }

  close(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }
}
