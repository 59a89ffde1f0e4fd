import type { CaseState, FilterCondition, SuppressionOutcome, SuppressionRule } from '../../../shared/api/schemas';
import type { Database, QueryOptions } from '../db/database';

/**
 * Suppression rules (GuardDuty filters with action ARCHIVE, guardduty.md 4.1) and the account
 * scopes of threat lists, applied to the findings table. The criteria are evaluated in SQL over
 * every leaf of each finding's JSON: array indexes are dropped from the path, so
 * `resource.instanceDetails.tags.key` reaches every tag, as GuardDuty's attribute names do.
 *
 * What wins, per finding: the analyst's own archive/unarchive > a matching enabled rule (the
 * finding is archived and remembers the rule in `suppressedBy`) > nothing (a finding Loupe
 * archived for a rule that no longer matches is unarchived; everything else stays as it is).
 */

type Op = 'eq' | 'neq' | 'matches' | 'not_matches' | 'gt' | 'gte' | 'lt' | 'lte';

const OPS: Record<keyof FilterCondition, Op> = {
  eq: 'eq',
  equals: 'eq',
  neq: 'neq',
  notEquals: 'neq',
  matches: 'matches',
  notMatches: 'not_matches',
  gt: 'gt',
  greaterThan: 'gt',
  gte: 'gte',
  greaterThanOrEqual: 'gte',
  lt: 'lt',
  lessThan: 'lt',
  lte: 'lte',
  lessThanOrEqual: 'lte',
};

interface CriterionRow {
  rule: string;
  ord: number;
  idx: number;
  attr: string;
  op: Op;
  vals: string[] | null;
  num: number | null;
}

/** A rule as the evaluator sees it: the user's rules, plus one per account-scoped threat list. */
export interface EffectiveRule {
  id: string;
  criterion: Record<string, FilterCondition>;
  accounts?: string[] | undefined;
}

/** The prefix of `suppressedBy` for findings archived because a threat list is scoped away. */
export const INTEL_SCOPE_PREFIX = 'intel:';

export function effectiveRules(state: Pick<CaseState, 'suppressionRules' | 'intelLists'>): EffectiveRule[] {
  const rules: EffectiveRule[] = [...state.suppressionRules]
    .filter((r) => r.enabled)
    .sort(byRank)
    .map((r) => ({ id: r.id, criterion: r.criterion, accounts: r.accounts }));
  for (const list of state.intelLists) {
    if (list.kind !== 'threat' || !list.accounts) continue;
    // A finding raised by this list for an account outside its scope should not stand.
    rules.push({
      id: `${INTEL_SCOPE_PREFIX}${list.name}`.slice(0, 200),
      criterion: {
        'service.additionalInfo.threatListName': { eq: [list.name] },
        ...(list.accounts.length ? { accountId: { neq: list.accounts } } : {}),
      },
    });
  }
  return rules;
}

function byRank(a: SuppressionRule, b: SuppressionRule): number {
  return (a.rank ?? 101) - (b.rank ?? 101) || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);
}

function criterionRows(rules: readonly EffectiveRule[]): CriterionRow[] {
  const rows: CriterionRow[] = [];
  rules.forEach((rule, ord) => {
    let idx = 0;
    const add = (attr: string, op: Op, value: string[] | number) =>
      rows.push({
        rule: rule.id,
        ord,
        idx: idx++,
        attr,
        op,
        vals: Array.isArray(value) ? value : null,
        num: Array.isArray(value) ? null : value,
      });
    for (const [attr, condition] of Object.entries(rule.criterion)) {
      for (const [name, value] of Object.entries(condition) as Array<[keyof FilterCondition, string[] | number]>) {
        const op = OPS[name];
        if (op !== undefined && value !== undefined) add(attr, op, value);
      }
    }
    if (rule.accounts?.length) add('accountId', 'eq', rule.accounts);
  });
  return rows;
}

/**
 * Which findings each rule set matches: finding id -> the first matching rule (by rank). One
 * statement; criteria travel as one JSON parameter, attribute paths are compared as values.
 */
export async function matchRules(
  db: Database,
  rules: readonly EffectiveRule[],
  options: QueryOptions = {},
): Promise<Map<string, string>> {
  const crit = criterionRows(rules);
  if (crit.length === 0) return new Map();
  const rows = await db.all<{ id: string; rule: string }>(
    `WITH crit AS (
       SELECT c.rule, c.ord, c.idx, c.attr, c.op, c.vals, c.num
         FROM (SELECT unnest(from_json($crit::JSON,
                '[{"rule":"VARCHAR","ord":"INTEGER","idx":"INTEGER","attr":"VARCHAR","op":"VARCHAR","vals":["VARCHAR"],"num":"DOUBLE"}]')) AS c)
     ),
     used AS (SELECT DISTINCT attr FROM crit),
     leaves AS (
       SELECT f.id, substr(regexp_replace(t.fullkey, '\\[[0-9]+\\]', '', 'g'), 3) AS attr, t.value->>'$' AS v
         FROM findings f, json_tree(f.finding) t
        WHERE t.atom IS NOT NULL AND t.fullkey <> '$.service.archived'
       UNION ALL
       -- The column is the truth about archiving; the JSON copy may be older.
       SELECT id, 'service.archived', CASE WHEN archived THEN 'true' ELSE 'false' END FROM findings
     ),
     l AS (
       SELECT id, attr, v,
              coalesce(TRY_CAST(v AS DOUBLE), epoch_ms(TRY_CAST(v AS TIMESTAMPTZ))::DOUBLE) AS n
         FROM leaves WHERE attr IN (SELECT attr FROM used)
     ),
     tested AS (
       SELECT c.rule, c.ord, c.idx, c.op, f.id,
              bool_or(CASE
                WHEN c.op IN ('eq', 'neq') THEN list_contains(c.vals, l.v)
                  OR (l.n IS NOT NULL AND len(list_filter(c.vals, lambda x: TRY_CAST(x AS DOUBLE) =
                        CASE WHEN c.attr = 'severity' THEN floor(l.n) ELSE l.n END)) > 0)
                WHEN c.op IN ('matches', 'not_matches') THEN len(list_filter(c.vals, lambda x: l.v GLOB x)) > 0
                WHEN c.op = 'gt' THEN l.n > c.num
                WHEN c.op = 'gte' THEN l.n >= c.num
                WHEN c.op = 'lt' THEN l.n < c.num
                WHEN c.op = 'lte' THEN l.n <= c.num
              END) AS positive
         FROM crit c CROSS JOIN findings f
         LEFT JOIN l ON l.id = f.id AND l.attr = c.attr
        GROUP BY c.rule, c.ord, c.idx, c.op, f.id
     ),
     sat AS (
       SELECT rule, ord, id,
              bool_and(CASE WHEN op IN ('neq', 'not_matches') THEN NOT coalesce(positive, false)
                            ELSE coalesce(positive, false) END) AS ok
         FROM tested GROUP BY rule, ord, id
     )
     SELECT id, arg_min(rule, ord) AS rule FROM sat WHERE ok GROUP BY id`,
    { crit: JSON.stringify(crit) },
    { timeoutMs: 5 * 60_000, ...options },
  );
  return new Map(rows.map((r) => [r.id, r.rule]));
}

export interface SuppressionResult extends SuppressionOutcome {
  /** The case state with `suppressedBy` brought up to date (the caller saves it). */
  state: CaseState;
  changed: boolean;
}

/**
 * Brings the `archived` column in line with the analyst's decisions and the rules, and the
 * state's `suppressedBy` marks in line with the column. Run it with no other writer on the
 * findings table (the engine's case queue), after every detection run and every rule change.
 */
export async function applySuppression(
  db: Database,
  state: CaseState,
  options: QueryOptions & { now?: Date } = {},
): Promise<SuppressionResult> {
  const matched = await matchRules(db, effectiveRules(state), options);
  const current = await db.all<{ id: string; archived: boolean }>(
    `SELECT id, archived FROM findings`,
    undefined,
    options,
  );
  const at = (options.now ?? new Date()).toISOString();
  const findings = { ...state.findings };
  const toArchive: string[] = [];
  const toUnarchive: string[] = [];
  let changed = false;

  for (const { id, archived } of current) {
    const entry = findings[id];
    const rule = matched.get(id);
    let want = archived;
    let suppressedBy = entry?.suppressedBy;
    if (entry?.archived !== undefined) {
      want = entry.archived;
      suppressedBy = undefined;
    } else if (rule !== undefined) {
      want = true;
      suppressedBy = rule;
    } else if (suppressedBy !== undefined) {
      want = false;
      suppressedBy = undefined;
    }
    if (want !== archived) (want ? toArchive : toUnarchive).push(id);
    if (suppressedBy !== entry?.suppressedBy) {
      changed = true;
      const base = entry ?? { status: 'new' as const, comments: [], tags: [], updatedAt: at };
      const next = { ...base, updatedAt: at };
      if (suppressedBy === undefined) delete next.suppressedBy;
      else next.suppressedBy = suppressedBy;
      findings[id] = next;
    }
  }
  await setArchived(db, toArchive, true, options);
  await setArchived(db, toUnarchive, false, options);
  return {
    archived: toArchive.length,
    unarchived: toUnarchive.length,
    state: changed ? { ...state, findings } : state,
    changed,
  };
}

/** Sets the archived column of the given findings; returns how many exist. */
export async function setArchived(
  db: Database,
  ids: readonly string[],
  archived: boolean,
  options: QueryOptions = {},
): Promise<number> {
  if (ids.length === 0) return 0;
  const list = JSON.stringify(ids);
  const row = await db.one<{ n: number }>(
    `SELECT count(*)::INTEGER AS n FROM findings WHERE list_contains(from_json($ids::JSON, '["VARCHAR"]'), id)`,
    { ids: list },
    options,
  );
  await db.run(
    `UPDATE findings SET archived = $archived
      WHERE archived <> $archived AND list_contains(from_json($ids::JSON, '["VARCHAR"]'), id)`,
    { ids: list, archived },
    options,
  );
  return row?.n ?? 0;
}
