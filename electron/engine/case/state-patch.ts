import { randomUUID } from 'node:crypto';
import type { CaseState, CaseStatePatch, FindingState } from '../../../shared/api/schemas';

/**
 * `case:updateState`: sections are replaced whole, settings merged key by key (`null` removes one), and per-finding
 * changes applied to the finding's entry (created on first change; `null` forgets it). The
 * result is validated by the caller with the case.json schema before it is kept.
 */
export function applyStatePatch(state: CaseState, patch: CaseStatePatch, now: Date = new Date()): unknown {
  const at = now.toISOString();
  const next: Record<string, unknown> = { ...state };
  for (const key of [
    'name',
    'notes',
    'tags',
    'bookmarks',
    'savedQueries',
    'accounts',
    'organization',
    'intelLists',
    'notifications',
  ] as const) {
    if (patch[key] !== undefined) next[key] = patch[key];
  }
  if (patch.settings) {
    // `null` puts a setting back to its default (JSON has no `undefined` to send).
    const settings: Record<string, unknown> = { ...state.settings };
    for (const [key, value] of Object.entries(patch.settings)) {
      if (value === null) delete settings[key];
      else settings[key] = value;
    }
    next['settings'] = settings;
  }
  if (patch.findings) {
    const findings: Record<string, FindingState> = { ...state.findings };
    for (const [id, change] of Object.entries(patch.findings)) {
      if (change === null) {
        delete findings[id];
        continue;
      }
      const base: FindingState = findings[id] ?? { status: 'new', comments: [], tags: [], updatedAt: at };
      const entry: FindingState = { ...base, updatedAt: at };
      if (change.status !== undefined) entry.status = change.status;
      if (change.tags !== undefined) entry.tags = change.tags;
      if (change.assignee === null) delete entry.assignee;
      else if (change.assignee !== undefined) entry.assignee = change.assignee;
      if (change.comment) {
        entry.comments = [
          ...entry.comments,
          { id: randomUUID(), text: change.comment.text, author: change.comment.author, createdAt: at },
        ];
      }
      findings[id] = entry;
    }
    next['findings'] = findings;
  }
  return next;
}

/** Records the analyst's archive decision on findings (it wins over suppression rules). */
export function withArchiveDecision(state: CaseState, ids: readonly string[], archived: boolean, now: Date): CaseState {
  const at = now.toISOString();
  const findings = { ...state.findings };
  for (const id of ids) {
    const base: FindingState = findings[id] ?? { status: 'new', comments: [], tags: [], updatedAt: at };
    const entry: FindingState = { ...base, archived, updatedAt: at };
    delete entry.suppressedBy;
    findings[id] = entry;
  }
  return { ...state, findings };
}
