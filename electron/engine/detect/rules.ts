import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { findingTypeInfo } from '../../../shared/findings/catalog';
import { resourcePath } from '../resources-dir';
import { RESERVED_HIT_COLUMNS, TEMPLATE_FIELDS } from './hit-columns';
import { ruleSchema, type Rule } from './rule-schema';

/** resources/detections; the working directory does not matter. */
export const DEFAULT_RULES_DIR = resourcePath('detections');

/** Parameters the runner always supplies; rules may use them without declaring them. */
export const BUILTIN_PARAMS = ['now'] as const;

export interface RuleFailure {
  ruleId: string;
  file: string;
  error: string;
}

export function listRuleFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.yml') || name.endsWith('.yaml')) out.push(path);
    }
  };
  walk(dir);
  return out;
}

/** The query without string literals and comments, for the textual checks below. */
function stripSql(query: string): string {
  return query.replace(/'(?:[^']|'')*'/g, "''").replace(/--[^\n]*/g, '');
}

/** `$name` parameters a query uses (string literals removed first so '$5' in text is ignored). */
export function queryParams(query: string): string[] {
  const code = stripSql(query);
  return [...new Set([...code.matchAll(/\$([a-z_][a-z0-9_]*)/gi)].map((m) => m[1] ?? ''))];
}

function templateFields(template: string): string[] {
  return [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? '');
}

/**
 * Static checks on one rule file: YAML, schema, a known GuardDuty type from the right source,
 * file name = id, parameters declared, templates and evidence naming usable columns, tests of
 * both kinds. The query itself is checked against DuckDB by the runner (DESCRIBE).
 */
export function parseRuleFile(file: string, rulesDir?: string): { rule: Rule } | { failure: RuleFailure } {
  const fallbackId = basename(file).replace(/\.ya?ml$/, '');
  const fail = (error: string) => ({
    failure: { ruleId: fallbackId, file, error: `${rulesDir ? relative(rulesDir, file) : file}: ${error}` },
  });
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    return fail(`not valid YAML: ${(error as Error).message}`);
  }
  const parsed = ruleSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(`${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  const spec = parsed.data;
  const problems: string[] = [];
  if (spec.id !== fallbackId) problems.push(`id "${spec.id}" does not match the file name ${basename(file)}`);
  if (rulesDir && basename(dirname(file)) !== spec.source)
    problems.push(`a ${spec.source} rule belongs in ${spec.source}/`);
  const info = findingTypeInfo(spec.type);
  if (!info) problems.push(`"${spec.type}" is not a GuardDuty finding type Loupe knows (shared/findings/catalog.ts)`);
  else if (info.source !== spec.source)
    problems.push(`${spec.type} comes from ${info.source} logs, not ${spec.source}`);

  const declared = new Set(Object.keys(spec.params ?? {}));
  for (const p of queryParams(spec.query)) {
    if (p.startsWith('loupe_')) problems.push(`parameter $${p}: the loupe_ prefix is reserved for the runner`);
    else if (!declared.has(p) && !(BUILTIN_PARAMS as readonly string[]).includes(p))
      problems.push(`query uses $${p}, which is not declared under params`);
  }
  for (const p of declared)
    if (!queryParams(spec.query).includes(p)) problems.push(`param ${p} is declared but the query does not use it`);
  if (!/^\s*(with|select)\b/i.test(spec.query)) problems.push('query must be a single SELECT (or WITH ... SELECT)');
  if (/;\s*\S/.test(stripSql(spec.query))) problems.push('query must be one statement (no ";" inside)');

  const reserved = new Set<string>(RESERVED_HIT_COLUMNS);
  for (const c of [...spec.evidence, ...spec.aggregate.by, spec.aggregate.resource]) {
    if (reserved.has(c)) problems.push(`column "${c}" is reserved for the runner`);
  }
  const templateOk = new Set([...TEMPLATE_FIELDS, ...spec.evidence]);
  for (const [field, text] of [
    ['title', spec.title],
    ['description', spec.description],
    ...spec.runbook.map((step, i) => [`runbook[${i}]`, step] as const),
  ] as const) {
    for (const f of templateFields(text))
      if (!templateOk.has(f))
        problems.push(`${field} uses {${f}}, which is neither a hit column nor an evidence column`);
  }
  if (!spec.tests.some((t) => t.expect === 'match')) problems.push('needs at least one test that expects a match');
  if (!spec.tests.some((t) => t.expect === 'no_match')) problems.push('needs at least one test that expects no match');
  if (problems.length > 0) return fail(problems.join('; '));

  const defaultSeverity = typeof spec.severity === 'number' ? spec.severity : spec.severity.default;
  return { rule: { ...spec, file, defaultSeverity } };
}

/** Every rule under `dir`; broken files come back as failures, never as exceptions. */
export function loadRules(dir: string = DEFAULT_RULES_DIR): { rules: Rule[]; failed: RuleFailure[] } {
  const rules: Rule[] = [];
  const failed: RuleFailure[] = [];
  const seen = new Map<string, string>();
  for (const file of listRuleFiles(dir)) {
    const result = parseRuleFile(file, dir);
    if ('failure' in result) {
      failed.push(result.failure);
      continue;
    }
    const other = seen.get(result.rule.id);
    if (other) {
      failed.push({
        ruleId: result.rule.id,
        file,
        error: `${relative(dir, file)}: duplicate rule id, also in ${relative(dir, other)}`,
      });
      continue;
    }
    seen.set(result.rule.id, file);
    rules.push(result.rule);
  }
  return { rules, failed };
}

/** Fills `{field}` placeholders; missing values read "unknown". */
export function fillTemplate(template: string, values: Record<string, unknown>): string {
  return template.replace(/\{([^{}]*)\}/g, (_, key: string) => {
    const v = values[key];
    return v === null || v === undefined || v === '' ? 'unknown' : String(v);
  });
}
