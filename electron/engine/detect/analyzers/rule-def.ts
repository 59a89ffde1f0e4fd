import { findingTypeInfo } from '../../../../shared/findings/catalog';
import type { Rule } from '../rule-schema';

/**
 * Analyzers hand the runner ordinary rules: a SELECT in the hit shape (hit-columns.ts), its
 * parameters, aggregation, evidence and texts. What makes them analyzers is the preparation
 * before the rules run (baseline tables, reference data, learning windows) and SQL that is
 * generated rather than written in YAML. The runner stages, aggregates and builds them exactly
 * like the rule files, so findings, suppression and finding_events work the same.
 */
export interface AnalyzerRuleSpec {
  id: string;
  type: string;
  source: Rule['source'];
  title: string;
  description: string;
  mitre: string[];
  query: string;
  params?: Record<string, string | number | boolean>;
  resource: string;
  by?: string[];
  evidence?: string[];
  runbook: string[];
  /** Context severities the query's severity column may carry (documentation only). */
  severityContext?: Array<{ value: number; when: string }>;
}

/** Marks rules that came from an analyzer rather than a rule file. */
export const ANALYZER_FILE_PREFIX = 'analyzer:';

export function analyzerRule(spec: AnalyzerRuleSpec): Rule {
  const info = findingTypeInfo(spec.type);
  if (!info) throw new Error(`analyzer rule ${spec.id}: unknown finding type ${spec.type}`);
  const severity = spec.severityContext ? { default: info.severity, context: spec.severityContext } : info.severity;
  return {
    id: spec.id,
    type: spec.type,
    source: spec.source,
    title: spec.title,
    description: spec.description,
    severity,
    mitre: spec.mitre,
    ...(spec.params ? { params: spec.params } : {}),
    query: spec.query,
    aggregate: { resource: spec.resource, by: spec.by ?? [] },
    evidence: spec.evidence ?? [],
    runbook: spec.runbook,
    tests: [],
    file: `${ANALYZER_FILE_PREFIX}${spec.id}`,
    defaultSeverity: info.severity,
  };
}
