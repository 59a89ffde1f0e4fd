import type { CaseState } from '../../../shared/api/schemas';

/**
 * Beside each suppression rule the UI shows how many findings it archives now. `suppressedBy` on
 * a finding's state is the truth about which rule archived it (kept by `applySuppression`; the
 * analyst's own archive decisions clear it), so the count needs no query.
 */
export function archivedByRule(state: Pick<CaseState, 'suppressionRules' | 'findings'>): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(state.suppressionRules.map((r) => [r.id, 0]));
  for (const entry of Object.values(state.findings)) {
    const rule = entry.suppressedBy;
    if (rule !== undefined && Object.hasOwn(counts, rule)) counts[rule] = (counts[rule] ?? 0) + 1;
  }
  return counts;
}
