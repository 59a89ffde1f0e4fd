import type { Scope, SourceName } from '../../../shared/api/investigate';
import { LoupeError } from '../../../shared/errors';
import type { Database } from '../db/database';
import type { ResolvedSource } from './sources';

/**
 * Turns the shared investigation scope into WHERE fragments and bound parameters. Lists travel
 * as one JSON text parameter (`from_json($p, '["VARCHAR"]')`) so no value is ever spliced into
 * SQL; the fragments themselves come from `sources.ts`.
 */
export type Params = Record<string, string | number | boolean | null>;

export interface ScopeSql {
  /** Parameters every fragment below may reference. */
  params: Params;
  /** Sources the scope allows, in display order. */
  sources: ResolvedSource[];
}

/** `where` for one source, or null when the scope rules that source out (e.g. entity it cannot match). */
export function whereFor(source: ResolvedSource, scope: Scope, options: { time?: boolean } = {}): string | null {
  const parts: string[] = [];
  const useTime = options.time ?? true;
  if (useTime && scope.from !== undefined) parts.push(`${source.time} >= CAST($from AS TIMESTAMPTZ)`);
  if (useTime && scope.to !== undefined) parts.push(`${source.time} < CAST($to AS TIMESTAMPTZ)`);
  if (scope.accounts && scope.accounts.length > 0) {
    if (!source.account) return null;
    parts.push(`list_contains(from_json($accounts, '["VARCHAR"]'), ${source.account})`);
  }
  if (scope.regions && scope.regions.length > 0) {
    if (!source.region) return null;
    parts.push(`list_contains(from_json($regions, '["VARCHAR"]'), ${source.region})`);
  }
  if (scope.entity) {
    const predicate = source.entity[scope.entity.kind];
    if (!predicate) return null;
    parts.push(predicate);
  }
  parts.push(`${source.time} IS NOT NULL`);
  return parts.join(' AND ');
}

export async function prepareScope(db: Database, scope: Scope, all: ResolvedSource[]): Promise<ScopeSql> {
  const params: Params = {};
  for (const key of ['from', 'to'] as const) {
    const value = scope[key];
    if (value === undefined) continue;
    const ok = await db.one<{ ok: boolean }>(`SELECT TRY_CAST($v AS TIMESTAMPTZ) IS NOT NULL AS ok`, { v: value });
    if (!ok?.ok) {
      throw new LoupeError(
        'INVALID_INPUT',
        `The time "${value}" in the ${key === 'from' ? 'start' : 'end'} of the range is not a date.`,
        {
          hint: 'Use an ISO 8601 time such as 2026-03-01T10:00:00Z.',
        },
      );
    }
    params[key] = value;
  }
  if (scope.accounts && scope.accounts.length > 0) params['accounts'] = JSON.stringify(scope.accounts);
  if (scope.regions && scope.regions.length > 0) params['regions'] = JSON.stringify(scope.regions);
  if (scope.entity) params['entity'] = scope.entity.value;
  const wanted = new Set<SourceName>(
    scope.sources && scope.sources.length > 0 ? scope.sources : ['cloudtrail', 'vpcflow', 'dns'],
  );
  return { params, sources: all.filter((s) => wanted.has(s.source)) };
}

/** Keeps only the parameters a SQL text references: DuckDB refuses unused named parameters. */
export function paramsFor(sql: string, params: Params): Params {
  const out: Params = {};
  for (const [key, value] of Object.entries(params)) if (new RegExp(`\\$${key}\\b`).test(sql)) out[key] = value;
  return out;
}
