import { z } from 'zod';

// The lines of a bulk's answer and the bulk status, as schemas for the OpenAPI document (docs/bulk.md describes them).

export const Fout = z.strictObject({ foutcode: z.string(), foutbeschrijving: z.string() }).meta({ title: 'BulkFout' });
export type Fout = z.infer<typeof Fout>;

const ItemBase = z.strictObject({
  /** The item's place among the bulk's non-blank lines, from 0. */
  index: z.number().int().nonnegative(),
  aanleverkenmerk: z.string().optional(),
});

/** An acknowledged item: its message is stored, with this kenmerk. */
export const BulkItemAccepted = ItemBase.extend({ kenmerk: z.string() }).meta({ title: 'BulkItemGeaccepteerd' });
/** A refused item: nothing was stored for it. */
export const BulkItemRefused = ItemBase.extend({ fout: Fout }).meta({ title: 'BulkItemGeweigerd' });
export type BulkItemAnswer = z.infer<typeof BulkItemAccepted> | z.infer<typeof BulkItemRefused>;

export const Samenvatting = z
  .strictObject({
    bulkId: z.uuid(),
    geaccepteerd: z.number().int().nonnegative(),
    geweigerd: z.number().int().nonnegative(),
    /** A limit cut the bulk short: the items after it were not read. */
    afgebroken: Fout.optional(),
  })
  .meta({ title: 'BulkSamenvatting' });
export type Samenvatting = z.infer<typeof Samenvatting>;

/** The last line of a bulk's answer. */
export const BulkSummaryLine = z.strictObject({ samenvatting: Samenvatting }).meta({ title: 'BulkSamenvattingRegel' });

/** One line of the answer to POST /api/v1/bulk. */
export const BulkAnswerLine = z.union([BulkItemAccepted, BulkItemRefused, BulkSummaryLine]).meta({ title: 'BulkAntwoordRegel' });
export type BulkAnswerLine = BulkItemAnswer | z.infer<typeof BulkSummaryLine>;

const ItemStatus = z.strictObject({
  statuscode: z.string(),
  statusomschrijving: z.string().optional(),
  tijdstempelStatus: z.iso.datetime({ offset: true }),
  /** Nothing more is expected: delivered (400) or a final status. */
  eind: z.boolean(),
});

export const BulkStatusItem = z
  .union([BulkItemAccepted.extend({ status: ItemStatus.optional() }), BulkItemRefused])
  .meta({ title: 'BulkStatusItem' });
export type BulkStatusItem = z.infer<typeof BulkStatusItem>;

/** GET /api/v1/bulk/{bulkId}: the bulk and a page of its items with their current status. */
export const BulkStatus = z
  .strictObject({
    bulkId: z.uuid(),
    tijdstempelAangeleverd: z.iso.datetime({ offset: true }),
    /** The stream ended with its summary; false while it is still streaming in, or when its connection broke. */
    afgerond: z.boolean(),
    samenvatting: z.strictObject({ geaccepteerd: z.number().int().nonnegative(), geweigerd: z.number().int().nonnegative(), afgebroken: Fout.optional() }),
    items: z.array(BulkStatusItem),
    /** There are more items: ask again with vanaf set to this. */
    volgendeVanaf: z.number().int().positive().optional(),
  })
  .meta({ title: 'BulkStatus' });
export type BulkStatus = z.infer<typeof BulkStatus>;
