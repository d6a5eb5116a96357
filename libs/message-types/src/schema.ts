import { Oin } from '@poort/contracts';
import { z } from 'zod';

import { Duration } from './duration.js';

export const TRANSFORMATIONS = ['none', 'ubl-invoice-to-json', 'ubl-invoice-to-cii'] as const;
export type TransformationName = (typeof TRANSFORMATIONS)[number];
/** A transformation that makes something: the name of a rendition of a message's content. */
export type RenditionName = Exclude<TransformationName, 'none'>;
export const RENDITIONS = TRANSFORMATIONS.filter((name): name is RenditionName => name !== 'none');

/**
 * What a route delivers: the content as submitted (`original`), the output of the message type's own
 * `transformation` (`transformed`), or the output of the transformation it names (e.g. `ubl-invoice-to-cii`), which
 * the transformation stage makes for the messages the route applies to.
 */
export const ROUTE_FORMATS = ['original', 'transformed', ...RENDITIONS] as const;
export type RouteFormat = (typeof ROUTE_FORMATS)[number];

/**
 * How a recipient receives its messages: `rest` (Poort POSTs each message to its endpoint), `wus` (Poort calls its
 * WUS afleverservice) or `pull` (Poort parks each message in its mailbox, fetched through the OphaalService or REST).
 */
export const DELIVERY_CHANNELS = ['rest', 'wus', 'pull'] as const;
export type DeliveryChannelName = (typeof DELIVERY_CHANNELS)[number];

/** A PEM file, relative to the configuration directory or absolute. */
const PemFile = z.string().min(1);

/**
 * A recipient and its delivery profile. Secrets are not here: Poort's client key comes from the delivery service's
 * environment (DELIVERY_CLIENT_*), or from a file this profile names, mounted as a secret.
 */
export const Recipient = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes'),
    name: z.string().min(1),
    oin: Oin,
    channel: z.enum(DELIVERY_CHANNELS).default('rest'),
    /** Push channels: the recipient's REST inbox or WUS afleverservice. */
    endpoint: z.url().optional(),
    timeout: Duration.default(10_000),
    /**
     * The recipient's own certificate: the TLS server certificate its endpoint must present (pinned, on top of the
     * chain check), and the key that content encrypted for it is encrypted to.
     */
    certificate: PemFile.optional(),
    /** Poort's client certificate for this recipient, when not the delivery service's default. */
    clientCertificate: z.object({ cert: PemFile, key: PemFile }).optional(),
    /** Poort signs what it delivers (WS-Security for WUS, HTTP Message Signatures for REST). */
    sign: z.boolean().default(true),
    /** Content and attachments are encrypted for the recipient's certificate. */
    encrypt: z.boolean().default(false),
    /** The message's attachments travel with it. */
    attachments: z.boolean().default(true),
    /** Deliveries open at once to this recipient, across the whole round of one delivery process. */
    concurrency: z.number().int().positive().max(256).default(32),
    /** How long delivery to this recipient is retried; absent: the message type's retry window. */
    retryWindow: Duration.optional(),
  })
  .superRefine((recipient, context) => {
    if (recipient.channel !== 'pull' && !recipient.endpoint) {
      context.addIssue({ code: 'custom', path: ['endpoint'], message: `a ${recipient.channel} recipient needs an endpoint` });
    }
    if (recipient.channel === 'wus' && recipient.endpoint && !recipient.endpoint.startsWith('https:')) {
      context.addIssue({ code: 'custom', path: ['endpoint'], message: 'a WUS afleverservice is called over https (two-way TLS)' });
    }
    if (recipient.encrypt && !recipient.certificate) {
      context.addIssue({ code: 'custom', path: ['certificate'], message: 'encryption needs the recipient\'s certificate' });
    }
  });
export type Recipient = z.infer<typeof Recipient>;

export const RecipientsFile = z.object({ recipients: z.array(Recipient).min(1) });

export const Route = z.object({
  recipient: z.string().min(1),
  /** Which rendition this recipient wants (ROUTE_FORMATS). */
  format: z.enum(ROUTE_FORMATS).default('original'),
  /** Only for messages addressed to this identiteitOntvanger (nummer); absent = every message of the type. */
  whenOntvanger: z.string().optional(),
});
export type Route = z.infer<typeof Route>;

const ClarkName = z.string().regex(/^\{[^}]*\}[\w.-]+$/, 'Clark notation: {namespace}localName');

/**
 * An XBRL filing checked by Arelle against the taxonomy packages the operator supplies (XBRL Taxonomy Packages 1.0
 * zips; Arelle resolves the filing's schemaRef offline through each package's META-INF/catalog.xml). Without a
 * package the type keeps the instance-schema check only, and says so in the status detail.
 */
export const XbrlValidation = z.object({
  /** Paths relative to the configuration directory, or absolute (a mounted volume). */
  taxonomyPackages: z.array(z.string().min(1)).default([]),
  /** The entry point a filing's schemaRef must name (e.g. the NT's bd-rpt-ob-aangifte-*.xsd); absent: any in the packages. */
  entryPoint: z.url().optional(),
  /** Arelle's calculation check: Calc 1.1 round-to-nearest (c11r), XBRL 2.1 (c10), or none. */
  calculation: z.enum(['c11r', 'c10', 'none']).default('c11r'),
});
export type XbrlValidation = z.infer<typeof XbrlValidation>;

/** What a stage may hold in memory of one content (the Digikoppeling threshold for Grote Berichten, and WUS's cap). */
export const IN_MEMORY_MAX_BYTES = 20 * 1024 * 1024;
/** The largest content a message type may accept. */
export const LARGE_CONTENT_MAX_BYTES = 8 * 1024 * 1024 * 1024;

export const MessageType = z.object({
  berichtsoort: z.string().min(1).max(80),
  description: z.string().min(1),
  content: z
    .object({
      mimeTypes: z.array(z.string().min(1)).min(1).default(['application/xml', 'text/xml']),
      /**
       * Up to 8 GiB. A content above 20 MiB (IN_MEMORY_MAX_BYTES) is never read whole: validation checks it as a stream
       * and delivery hands recipients a Grote Berichten notice to fetch it (docs/large-payloads.md).
       */
      maxBytes: z.number().int().positive().max(LARGE_CONTENT_MAX_BYTES).default(IN_MEMORY_MAX_BYTES),
    })
    .prefault({}),
  /** berichtBijlagen: their own MIME types and sizes, apart from the content's (a PDF beside an XML invoice). */
  attachments: z
    .object({
      mimeTypes: z.array(z.string().min(1)).default(['application/pdf', 'application/xml', 'text/xml', 'text/plain', 'image/png', 'image/jpeg']),
      maxBytes: z.number().int().positive().max(20_971_520).default(20_971_520),
      /** At most this many per message (the koppelvlak allows 100); 0: none. */
      maxCount: z.number().int().nonnegative().max(100).default(100),
    })
    .prefault({}),
  authorization: z.object({ allowedSenders: z.array(Oin).min(1) }),
  validation: z.object({
    /**
     * The XSD: a path relative to the configuration directory (it may import only files inside that directory), or
     * `standard:<file>` for an official schema the install step fetched (a file in the standards directory, which
     * its imports may not leave), e.g. `standard:ubl-2.1.xsd`.
     */
    schema: z.string().min(1),
    /** The document element the content must have (or one of them), in Clark notation: {namespace}localName. */
    rootElement: z.union([ClarkName, z.array(ClarkName).min(1)]).optional(),
    /**
     * Business rules (Schematron, compiled at install time) that a document valid against the schema must also meet,
     * by rule set name (libs/standards/artefacts.json): all of them run; a fatal assert of any rejects the document.
     */
    rules: z.array(z.string().min(1)).default([]),
    xbrl: XbrlValidation.optional(),
  }),
  transformation: z.enum(TRANSFORMATIONS).default('none'),
  /**
   * Renditions besides the type's own that subscribers may ask for by name. Each is made of every message of the
   * type, whether or not someone subscribed to it; a route's named rendition is made only for the messages the route
   * applies to.
   */
  subscriberRenditions: z.array(z.enum(RENDITIONS)).default([]),
  routing: z
    .object({
      routes: z.array(Route).default([]),
      /**
       * Only recipients that subscribed to the type receive it (routing's subscriptions API); it has no static routes.
       * Otherwise subscribers receive it beside the routes.
       */
      subscribersOnly: z.boolean().default(false),
    })
    .refine((routing) => routing.subscribersOnly !== (routing.routes.length > 0), {
      message: 'a message type has routes, or is for subscribers only (subscribersOnly: true) and has none',
      path: ['routes'],
    }),
  delivery: z
    .object({
      retryWindow: Duration.default(72 * 3_600_000),
      initialBackoff: Duration.default(60_000),
      maxBackoff: Duration.default(3_600_000),
    })
    .prefault({}),
}).superRefine((type, context) => {
  // Transformations and renditions parse the whole document: their types stay at what fits in memory.
  const renditionsMade =
    type.transformation !== 'none' ||
    type.subscriberRenditions.length > 0 ||
    type.routing.routes.some((route) => (RENDITIONS as readonly string[]).includes(route.format));
  if (renditionsMade && type.content.maxBytes > IN_MEMORY_MAX_BYTES) {
    context.addIssue({
      code: 'custom',
      path: ['content', 'maxBytes'],
      message: `a message type with a transformation or renditions reads its content in memory: content.maxBytes may be at most ${IN_MEMORY_MAX_BYTES} (20 MiB), not ${type.content.maxBytes}`,
    });
  }
});
export type MessageType = z.infer<typeof MessageType>;
