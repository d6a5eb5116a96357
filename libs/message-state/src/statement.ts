/**
 * One statement composed of several writes (WITH queries), so that an effect that spans tables costs one round trip:
 * each part adds its values here and writes their placeholders into its SQL. Parts add their values in a fixed order,
 * so the same composition always has the same text and can be a named prepared statement.
 */
export class StatementParams {
  readonly values: unknown[] = [];

  /** The placeholder of a new value, cast to `type` (`text[]`, `uuid[]`, …). */
  add(value: unknown, type: string): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
}

/**
 * SQLSTATE of `poort_require(ok, problem)` (migration 0012) when `ok` is false: the statement that asked for it is
 * undone whole, as any failed statement is.
 */
export const REQUIREMENT_FAILED = 'PR001';

export function isRequirementFailed(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === REQUIREMENT_FAILED;
}
