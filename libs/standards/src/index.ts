export { RULE_SET_NAMES, StandardsError, UBL_21_SCHEMA, ruleSetEntry, standardsDir, standardsFile, type RuleSetEntry } from './standards-dir.js';
export { resolveRuleSet, type RuleSet } from './rule-set.js';
export { CompiledRules, RulesExecutionError, type RuleFinding, type RulesReport } from './schematron.js';
