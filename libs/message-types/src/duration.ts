import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "72h", "90s", "500ms" or a plain number of milliseconds. */
export const Duration = z.union([
  z.number().int().positive(),
  z
    .string()
    .regex(/^\d+(ms|s|m|h|d)$/, 'a duration such as 500ms, 30s, 5m, 72h or 7d')
    .transform((text) => {
      const [, amount, unit] = /^(\d+)(ms|s|m|h|d)$/.exec(text)!;
      return Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
    }),
]);
