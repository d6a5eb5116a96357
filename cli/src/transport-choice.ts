/**
 * How each file travels to Poort:
 * - `single`: one aanleveren request per file (POST /api/v1/aanleveren);
 * - `bulk`: many small files in one streamed bulk request (POST /api/v1/bulk);
 * - `grote-berichten`: a file above the in-band limit, announced and uploaded out of band in byte ranges
 *   (Digikoppeling Grote Berichten, POST /api/v1/grote-berichten).
 */
export type TransportName = 'single' | 'bulk' | 'grote-berichten';

/** `auto` chooses per run and file; the others force a transport for every file that fits it. */
export type TransportMode = 'auto' | 'single' | 'bulk';

export interface TransportLimits {
  /** The largest file that goes in band: the koppelvlak's 20 MiB of berichtInhoud. */
  readonly inBandMaxBytes: number;
  /** The largest file `auto` puts in a bulk; larger in-band files go alone. */
  readonly bulkItemMaxBytes: number;
  /** From how many in-band files on `auto` uses bulk: below it, single requests are as quick and simpler to read. */
  readonly bulkMinFiles: number;
  /** Bytes per PUT of a Grote Bericht. */
  readonly uploadChunkBytes: number;
}

export const DEFAULT_LIMITS: TransportLimits = {
  inBandMaxBytes: 20 * 1024 * 1024,
  bulkItemMaxBytes: 1024 * 1024,
  bulkMinFiles: 20,
  uploadChunkBytes: 8 * 1024 * 1024,
};

/** Whether Poort offers the transport (all three now; the plan still knows of transports a Poort lacks). */
export const AVAILABLE: Readonly<Record<TransportName, boolean>> = { single: true, bulk: true, 'grote-berichten': true };

/**
 * The transport of one file of `size` bytes in a run of `inBandFiles` files that fit in band. Forcing `bulk` still
 * sends a file too large for a bulk item alone (it would be refused in the bulk); forcing nothing sends a file above
 * the in-band limit in band.
 */
export function chooseTransport(size: number, inBandFiles: number, mode: TransportMode, limits: TransportLimits = DEFAULT_LIMITS): TransportName {
  if (size > limits.inBandMaxBytes) return 'grote-berichten';
  if (mode === 'single') return 'single';
  if (size > limits.bulkItemMaxBytes) return 'single';
  if (mode === 'bulk') return 'bulk';
  return inBandFiles >= limits.bulkMinFiles ? 'bulk' : 'single';
}
