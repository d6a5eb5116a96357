/** Why a submission is refused synchronously; nothing is stored for a refused submission. */
export class SubmissionRefused extends Error {
  constructor(
    readonly httpStatus: number,
    readonly foutcode: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}
