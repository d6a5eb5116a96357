import { createHash, type Hash } from 'node:crypto';

/**
 * SHA-256 (hex) of a request as parsed, in a canonical form: object keys sorted, absent fields left out, every
 * string length-prefixed so no two different requests encode alike. It is taken of the parsed request, not of the
 * bytes on the wire, so that an honest retry matches however it was serialised (key order, whitespace, JSON or
 * the koppelvlak's XML), while any difference in what Poort would store does not. Strings are fed to the hash as
 * they are: 20 MiB of base64 content is never copied into a second, serialised string.
 */
export function requestFingerprint(request: unknown): string {
  const hash = createHash('sha256');
  feed(hash, request);
  return hash.digest('hex');
}

function feed(hash: Hash, value: unknown): void {
  if (typeof value === 'string') {
    hash.update(`s${Buffer.byteLength(value, 'utf8')}:`).update(value, 'utf8');
  } else if (Array.isArray(value)) {
    hash.update(`a${value.length}[`);
    for (const item of value) feed(hash, item);
    hash.update(']');
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, field]) => field !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    hash.update(`o${entries.length}{`);
    for (const [key, field] of entries) {
      feed(hash, key);
      feed(hash, field);
    }
    hash.update('}');
  } else {
    // numbers, booleans and null: the koppelvlak has none today, but a request that had them must still encode
    hash.update(`v${JSON.stringify(value) ?? 'undefined'};`);
  }
}
