/** Output of a transformation: the converted document and how to label it. */
export interface TransformResult {
  bytes: Uint8Array;
  mimeType: string;
  /** Without the dot, e.g. `json`. */
  fileExtension: string;
}

export type Transformation = (input: Uint8Array) => TransformResult;

export type TransformErrorCode = 'TRANSFORM_INPUT_INVALID';

export class TransformError extends Error {
  override readonly name = 'TransformError';
  readonly code: TransformErrorCode;

  constructor(code: TransformErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
