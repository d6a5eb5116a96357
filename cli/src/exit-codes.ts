/**
 * The exit codes scripts can rely on (documented in the README). When several apply, the most serious wins:
 * usage before connection before refused before failed.
 */
export const EXIT = {
  /** Everything was accepted (submit) or ended well (status, follow). */
  ok: 0,
  /** A bug in poort itself; the message says what happened. */
  internal: 1,
  /** Wrong flags or arguments, a bad or missing configuration, unreadable certificate files, no files found. */
  usage: 2,
  /** submit: at least one file was refused (a coded refusal from Poort, or too large for the transports there are). */
  refused: 3,
  /** status, follow: at least one message ended in a failure status (210, 311, 410, 510, a final technical problem). */
  failed: 4,
  /** Poort could not be reached, or TLS failed (handshake, certificate rejected), or it kept answering busy. */
  connection: 5,
  /** follow: --timeout passed before every message had a final status. */
  timeout: 6,
  /** Interrupted (Ctrl-C, SIGTERM); the journal holds what was acknowledged, a new run resumes. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const SERIOUSNESS: readonly ExitCode[] = [EXIT.internal, EXIT.usage, EXIT.interrupted, EXIT.connection, EXIT.timeout, EXIT.refused, EXIT.failed, EXIT.ok];

/** The most serious of several outcomes. */
export function worstExit(codes: readonly ExitCode[]): ExitCode {
  return SERIOUSNESS.find((code) => codes.includes(code)) ?? EXIT.ok;
}
