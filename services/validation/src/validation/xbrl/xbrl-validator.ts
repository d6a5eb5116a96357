import { basename } from 'node:path';

import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { MessageCatalog, MessageType } from '@poort/message-types';

import type { ArelleFinding } from './arelle-log.js';
import type { Arelle } from './arelle-web-service.js';
import { referencesOf } from './filing-references.js';

const XBRL_INSTANCE_ROOT = '{http://www.xbrl.org/2003/instance}xbrl';

export const SCHEMA_ONLY_DETAIL = 'XBRL: alleen instance-schema gecontroleerd; geen taxonomiepakket geconfigureerd';

/** The verdict on an XBRL filing that passed the instance schema; `detail` goes with status 301. */
export type XbrlOutcome = { readonly valid: true; readonly detail: string } | { readonly valid: false; readonly findings: readonly ArelleFinding[] };

/**
 * The XBRL step of a berichtsoort whose content is an XBRL instance: with the operator's taxonomy packages, Arelle
 * validates the filing (XBRL 2.1, dimensions, calculations, the taxonomy's formula assertions); without, the
 * instance schema was all, and the 301 says so.
 */
export class XbrlValidator implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly catalog: MessageCatalog,
    /** Absent when no message type has a taxonomy package: then Arelle is never needed. */
    private readonly arelle: Arelle | undefined,
  ) {}

  /** The service's own Arelle is up before the service takes messages. */
  async onModuleInit(): Promise<void> {
    await this.arelle?.start();
  }

  /** After the consumers finished their batch (before-shutdown), which may still ask Arelle. */
  async onApplicationShutdown(): Promise<void> {
    await this.arelle?.close();
  }

  /** Whether any message type needs Arelle. */
  static needsArelle(catalog: MessageCatalog): boolean {
    return catalog.berichtsoorten.some((berichtsoort) => catalog.taxonomyPackagePaths(catalog.get(berichtsoort)).length > 0);
  }

  /**
   * Undefined for a type that is not XBRL. Throws ArelleUnavailableError when Arelle cannot judge the filing (a
   * technical failure: retried, then the message's 321).
   */
  async validate(berichtsoort: string, content: Uint8Array): Promise<XbrlOutcome | undefined> {
    const type = this.catalog.get(berichtsoort);
    if (!isXbrl(type)) return undefined;
    const packages = this.catalog.taxonomyPackagePaths(type);
    if (packages.length === 0) return { valid: true, detail: SCHEMA_ONLY_DETAIL };
    if (!this.arelle) throw new Error(`${berichtsoort} has taxonomy packages but the service runs no Arelle`);
    const references = referencesOf(content);
    if (references.refused.length > 0) {
      return {
        valid: false,
        findings: references.refused.slice(0, 10).map((reference) => ({
          code: 'XBRL_REFERENCE_REFUSED',
          severity: 'error',
          message: `de aangifte verwijst naar ${reference}: alleen http(s)-adressen van de taxonomie en verwijzingen binnen de aangifte (#…) zijn toegestaan`,
        })),
      };
    }
    const entryPoint = type.validation.xbrl?.entryPoint;
    const others = entryPoint ? references.schemaRefs.filter((href) => href !== entryPoint) : [];
    if (others.length > 0) {
      return {
        valid: false,
        findings: [{ code: 'XBRL_ENTRY_POINT_OTHER', severity: 'error', message: `de aangifte verwijst naar ${others.join(', ')}; deze berichtsoort neemt ${entryPoint}` }],
      };
    }
    const findings = await this.arelle.validate({ filing: content, packages, calculation: type.validation.xbrl?.calculation ?? 'c11r' });
    const errors = findings.filter((finding) => finding.severity === 'error');
    if (errors.length > 0) return { valid: false, findings: errors };
    const warnings = findings.filter((finding) => finding.severity === 'warning');
    const detail = `XBRL: gevalideerd met Arelle tegen taxonomiepakket ${packages.map((path) => basename(path)).join(', ')}`;
    return {
      valid: true,
      detail: [detail, ...warnings.slice(0, 50).map((warning) => `waarschuwing ${warning.code}${warning.line ? ` (regel ${warning.line})` : ''}: ${warning.message.slice(0, 500)}`)].join('\n'),
    };
  }
}

function isXbrl(type: MessageType): boolean {
  return type.validation.xbrl !== undefined || type.validation.rootElement === XBRL_INSTANCE_ROOT;
}
