import type { CaseState, Comment, FindingStatus } from '../workspace/case-state';

/**
 * What the analyst added to a finding (status, comments, tags), read from the case state the
 * caller passes. Exports work without one: every finding is then simply "new".
 */
export interface AnalystView {
  status: FindingStatus;
  comments: Comment[];
  tags: string[];
}

export function analystView(state: CaseState | undefined, findingId: string): AnalystView {
  const entry = state?.findings[findingId];
  return { status: entry?.status ?? 'new', comments: entry?.comments ?? [], tags: entry?.tags ?? [] };
}

/** Security Hub Workflow.Status for an analyst status. */
export const ASFF_WORKFLOW: Record<FindingStatus, 'NEW' | 'NOTIFIED' | 'RESOLVED' | 'SUPPRESSED'> = {
  new: 'NEW',
  investigating: 'NOTIFIED',
  resolved: 'RESOLVED',
  false_positive: 'SUPPRESSED',
  benign: 'SUPPRESSED',
};

/** OCSF finding status_id / status for an analyst status. */
export const OCSF_STATUS: Record<FindingStatus, { id: number; name: string }> = {
  new: { id: 1, name: 'New' },
  investigating: { id: 2, name: 'In Progress' },
  resolved: { id: 4, name: 'Resolved' },
  false_positive: { id: 3, name: 'Suppressed' },
  benign: { id: 3, name: 'Suppressed' },
};
