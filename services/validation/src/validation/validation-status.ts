import { FOUTCODE, STATUS, type StatusInput } from '@poort/contracts';

import { describeLimitExceeded } from '../rules/rules-limits.js';
import { describeRuleFindings } from '../rules/rule-findings.js';
import type { StreamedCheck, ValidationVerdict } from './message-validator.js';
import { describeFindings } from './schema-validator.js';
import { describeArelleFindings } from './xbrl/arelle-log.js';

/**
 * The status a verdict gives a message. Every rejection is a final 311 with foutcode VAS500, also when the rules
 * could not be evaluated within Poort's limits or their XSLT failed on the document: the same document would fare
 * the same again, so a 321 (a technical problem that may yet recover) would leave the sender waiting for nothing,
 * and Poort delivers only what it has checked.
 */
export function validationStatus(verdict: ValidationVerdict, ruleSets: readonly string[]): Pick<StatusInput, 'code' | 'fout' | 'details'> {
  const rejected = (foutbeschrijving: string, details: string) => ({
    code: STATUS.validatieMislukt,
    fout: { foutcode: FOUTCODE.validatieMislukt, foutbeschrijving },
    details,
  });
  const rules = ruleSets.join(', ');
  switch (verdict.kind) {
    case 'valid': {
      const details = [
        verdict.streamed ? describeStreamed(verdict.streamed) : undefined,
        verdict.xbrlDetail,
        verdict.warnings.length > 0
          ? `het bericht voldoet aan de bedrijfsregels (${rules}), met ${count(verdict.warnings.length, 'waarschuwing', 'waarschuwingen')}:\n${describeRuleFindings(verdict.warnings)}`
          : undefined,
      ].filter((detail) => detail !== undefined);
      return details.length === 0 ? { code: STATUS.gevalideerd } : { code: STATUS.gevalideerd, details: details.join('\n') };
    }
    case 'schema-invalid':
      return rejected('het bericht voldoet niet aan het XML-schema van de berichtsoort', describeFindings(verdict.findings));
    case 'xbrl-invalid':
      return rejected('het bericht voldoet niet aan de XBRL-taxonomie van de berichtsoort', describeArelleFindings(verdict.findings));
    case 'rules-invalid':
      return rejected(`het bericht voldoet niet aan de bedrijfsregels van de berichtsoort (${rules})`, describeRuleFindings(verdict.errors));
    case 'rules-failed':
      return rejected(`de bedrijfsregels (${verdict.ruleSet}) konden niet op het bericht worden toegepast`, verdict.message.slice(0, 2_000));
    case 'limit-exceeded':
      return rejected('het bericht valt buiten de limieten van de controle op de bedrijfsregels', describeLimitExceeded(verdict.exceeded));
  }
}

const NOT_RUN: Record<StreamedCheck['notRun'][number], string> = {
  schema: 'het XML-schema',
  rules: 'de bedrijfsregels',
  xbrl: 'de XBRL-taxonomie',
};

/** A warning with the 301 of a content checked as a stream: what was checked, and what could not be. */
function describeStreamed({ bytes, notRun }: StreamedCheck): string {
  const names = notRun.map((check) => NOT_RUN[check]);
  const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} en ${names.at(-1)!}` : names[0]!;
  return (
    `waarschuwing: de inhoud (${bytes} bytes) is te groot om in het geheugen te controleren; gecontroleerd is alleen dat ` +
    `zij goed gevormde XML is, zonder DOCTYPE, met het documentelement van de berichtsoort. Niet gecontroleerd: ${list}.`
  );
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
