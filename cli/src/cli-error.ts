import { EXIT, type ExitCode } from './exit-codes.js';

/**
 * An error poort reports as one line and an exit code, never as a stack trace: bad usage or configuration, or Poort
 * that cannot be reached. `code` is Poort's style of code (AREA_REASON) so a script can match it in the output.
 */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    readonly code: string,
    readonly exitCode: ExitCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const usageError = (code: string, message: string, cause?: unknown) => new CliError(code, EXIT.usage, message, { cause });
