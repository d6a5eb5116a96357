import { Refusal } from '@poort/contracts';

/** The bytes a PUT carries: `start` to `end` (both included) of a file of `total` bytes. */
export interface ContentRange {
  readonly start: number;
  readonly end: number;
  readonly total: number;
}

const CONTENT_RANGE = /^bytes (\d{1,16})-(\d{1,16})\/(\d{1,16})$/;

/**
 * The Content-Range of a PUT (RFC 9110 14.4), checked against the announced size: missing or malformed is 400
 * (UPLOAD_RANGE_INVALID); another total, or a range that does not lie within the file, is 416 (UPLOAD_RANGE_NOT_SATISFIABLE).
 */
export function parseContentRange(values: string | readonly string[] | undefined, grootte: number): ContentRange {
  const all = typeof values === 'string' ? [values] : (values ?? []);
  if (all.length === 0) throw invalid('a PUT to an upload needs a header Content-Range: bytes first-last/size');
  if (all.length > 1) throw invalid('the header Content-Range appears more than once');
  const header = all[0]!;
  const match = CONTENT_RANGE.exec(header.trim());
  if (!match) throw invalid(`Content-Range "${header.slice(0, 100)}" is not of the form bytes first-last/size`);
  const [start, end, total] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (total !== grootte) throw unsatisfiable(`Content-Range names a file of ${total} bytes; the announced size is ${grootte}`, grootte);
  if (start > end || end >= grootte) throw unsatisfiable(`bytes ${start}-${end} do not lie within the file of ${grootte} bytes`, grootte);
  return { start, end, total };
}

const invalid = (message: string) => new Refusal('UPLOAD_RANGE_INVALID', 'invalid', message);
const unsatisfiable = (message: string, grootte: number) => new Refusal('UPLOAD_RANGE_NOT_SATISFIABLE', 'range-not-satisfiable', message, { grootte });
