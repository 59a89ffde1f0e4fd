import type { FindingGroup } from '../../../shared/api/investigate';
import type { EvidenceRow, FindingFilter, FindingRow, SeverityCounts } from '../../../shared/api/schemas';
import { toErrorInfo, type ErrorInfo } from '../lib/api-client';
import { patcher, type SliceDeps } from './types';

/**
 * The findings list is paged from the engine: the store keeps the filter, the total, and a
 * bounded cache of pages around what is on screen (never the whole list). `version` bumps on
 * every new query so late pages of an old query are dropped.
 */
export const PAGE_SIZE = 100;
const MAX_PAGES = 24;
export const EVIDENCE_PAGE = 50;

export type SortBy = 'severity' | 'type' | 'lastSeen' | 'firstSeen' | 'count' | 'account' | 'resource';
export type GroupBy = 'none' | 'type' | 'resource';
export type FindingJson = Record<string, unknown> & { id: string; type: string; severity: number };

export interface FindingsState {
  filter: FindingFilter;
  sort: { by: SortBy; dir: 'asc' | 'desc' };
  groupBy: GroupBy;
  /** In group mode, the group drilled into. */
  drill: { by: 'type' | 'resource'; key: string } | null;
  version: number;
  total: number | null;
  counts: SeverityCounts | null;
  pages: Record<number, FindingRow[]>;
  pending: Record<number, true>;
  loading: boolean;
  error: ErrorInfo | null;
  groups: { rows: FindingGroup[]; total: number; loading: boolean; error: ErrorInfo | null };
  /** Every finding type in the case (for the type filter), with its count. */
  typeOptions: Array<{ type: string; findings: number }>;
  selectedId: string | null;
  selectedIndex: number | null;
  detail: { id: string | null; data: FindingJson | null; loading: boolean; error: ErrorInfo | null };
  evidence: {
    id: string | null;
    rows: EvidenceRow[];
    total: number;
    offset: number;
    loading: boolean;
    error: ErrorInfo | null;
  };
}

export interface FindingsSlice {
  findings: FindingsState;
  loadFindings(): Promise<void>;
  ensureRows(start: number, end: number): Promise<void>;
  setFilter(update: Partial<FindingFilter>): void;
  setSort(by: SortBy): void;
  setGroupBy(groupBy: GroupBy): void;
  drillInto(key: string | null): void;
  selectFinding(id: string | null, index?: number | null): Promise<void>;
  moveSelection(delta: number | 'first' | 'last'): Promise<void>;
  loadEvidence(offset: number): Promise<void>;
  loadTypeOptions(): Promise<void>;
}

export function rowAt(state: FindingsState, index: number): FindingRow | undefined {
  return state.pages[Math.floor(index / PAGE_SIZE)]?.[index % PAGE_SIZE];
}

/** The filter as sent: the user's filter plus the drilled-into group. */
export function effectiveFilter(state: FindingsState): FindingFilter {
  if (!state.drill) return state.filter;
  return state.drill.by === 'type'
    ? { ...state.filter, types: [state.drill.key] }
    : { ...state.filter, resourceId: state.drill.key };
}

function clean(filter: FindingFilter): FindingFilter {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(filter)) {
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out as FindingFilter;
}

export function createFindingsSlice({ set, get, api }: SliceDeps): FindingsSlice {
  const patch = patcher(set, 'findings');
  const state = () => get().findings;

  const fetchPage = async (page: number, version: number): Promise<void> => {
    const f = state();
    if (f.pages[page] || f.pending[page]) return;
    patch((s) => ({ pending: { ...s.pending, [page]: true } }));
    try {
      const result = await api['findings:list']({
        filter: clean(effectiveFilter(f)),
        sort: f.sort,
        offset: page * PAGE_SIZE,
        limit: PAGE_SIZE,
      });
      if (state().version !== version) return;
      patch((s) => {
        const pages = { ...s.pages, [page]: result.rows };
        // Keep the cache bounded: drop the pages farthest from the one just loaded.
        const keys = Object.keys(pages).map(Number);
        if (keys.length > MAX_PAGES) {
          keys.sort((a, b) => Math.abs(b - page) - Math.abs(a - page));
          for (const k of keys.slice(0, keys.length - MAX_PAGES)) delete pages[k];
        }
        const { [page]: _done, ...pending } = s.pending;
        return { pages, pending, total: result.total, loading: false, error: null };
      });
    } catch (error) {
      if (state().version !== version) return;
      patch((s) => {
        const { [page]: _done, ...pending } = s.pending;
        return { pending, loading: false, error: toErrorInfo(error) };
      });
    }
  };

  const loadGroups = async (version: number) => {
    const f = state();
    if (f.groupBy === 'none') return;
    patch((s) => ({ groups: { ...s.groups, loading: true } }));
    try {
      const { groups, total } = await api['findings:groups']({ filter: clean(f.filter), by: f.groupBy });
      if (state().version !== version) return;
      patch({ groups: { rows: groups, total, loading: false, error: null } });
    } catch (error) {
      if (state().version !== version) return;
      patch((s) => ({ groups: { ...s.groups, loading: false, error: toErrorInfo(error) } }));
    }
  };

  return {
    findings: {
      filter: {},
      sort: { by: 'severity', dir: 'desc' },
      groupBy: 'none',
      drill: null,
      version: 0,
      total: null,
      counts: null,
      pages: {},
      pending: {},
      loading: false,
      error: null,
      groups: { rows: [], total: 0, loading: false, error: null },
      typeOptions: [],
      selectedId: null,
      selectedIndex: null,
      detail: { id: null, data: null, loading: false, error: null },
      evidence: { id: null, rows: [], total: 0, offset: 0, loading: false, error: null },
    },
    loadFindings: async () => {
      const version = state().version + 1;
      patch({ version, pages: {}, pending: {}, loading: true, error: null, selectedIndex: null });
      const f = state();
      // Severity chips show what each band would hold under the other filters.
      const { severities: _s, ...withoutSeverity } = effectiveFilter(f);
      const counts = api['findings:counts']({ filter: clean(withoutSeverity) }).then(
        (c) => {
          if (state().version === version) patch({ counts: c });
        },
        () => undefined,
      );
      await Promise.all([counts, fetchPage(0, version), loadGroups(version)]);
      // The selection survives a refresh when the finding is still on the first page.
      const selected = state().selectedId;
      if (selected) {
        const idx = state().pages[0]?.findIndex((r) => r.id === selected) ?? -1;
        if (idx >= 0) patch({ selectedIndex: idx });
      }
    },
    ensureRows: async (start, end) => {
      const version = state().version;
      const first = Math.max(0, Math.floor(start / PAGE_SIZE));
      const last = Math.max(first, Math.floor(Math.max(start, end) / PAGE_SIZE));
      const jobs: Array<Promise<void>> = [];
      for (let p = first; p <= last; p++) jobs.push(fetchPage(p, version));
      await Promise.all(jobs);
    },
    setFilter: (update) => {
      patch((s) => ({ filter: clean({ ...s.filter, ...update }) }));
      void get().loadFindings();
    },
    setSort: (by) => {
      patch((s) => ({ sort: { by, dir: s.sort.by === by && s.sort.dir === 'desc' ? 'asc' : 'desc' } }));
      void get().loadFindings();
    },
    setGroupBy: (groupBy) => {
      patch({ groupBy, drill: null });
      void get().loadFindings();
    },
    drillInto: (key) => {
      const by = state().groupBy;
      patch({ drill: key === null || by === 'none' ? null : { by, key } });
      void get().loadFindings();
    },
    selectFinding: async (id, index = null) => {
      if (id === null) {
        patch({ selectedId: null, selectedIndex: null });
        return;
      }
      patch((s) => ({
        selectedId: id,
        selectedIndex: index,
        detail: { id, data: s.detail.id === id ? s.detail.data : null, loading: true, error: null },
        evidence: { id, rows: [], total: 0, offset: 0, loading: true, error: null },
      }));
      const detail = api['findings:get']({ id }).then(
        (data) => {
          if (state().selectedId === id)
            patch({ detail: { id, data: data as FindingJson, loading: false, error: null } });
        },
        (error: unknown) => {
          if (state().selectedId === id)
            patch({ detail: { id, data: null, loading: false, error: toErrorInfo(error) } });
        },
      );
      await Promise.all([detail, get().loadEvidence(0)]);
    },
    moveSelection: async (delta) => {
      const f = state();
      const total = f.total ?? 0;
      if (total === 0) return;
      let index: number;
      if (delta === 'first') index = 0;
      else if (delta === 'last') index = total - 1;
      else index = Math.min(total - 1, Math.max(0, (f.selectedIndex ?? -1) + delta));
      if (!rowAt(f, index)) await get().ensureRows(index, index);
      const row = rowAt(state(), index);
      if (row) await get().selectFinding(row.id, index);
    },
    loadTypeOptions: async () => {
      try {
        const { groups } = await api['findings:groups']({ by: 'type', filter: { archived: 'include' }, limit: 1000 });
        patch({
          typeOptions: groups
            .map((g) => ({ type: g.key, findings: g.findings }))
            .sort((a, b) => a.type.localeCompare(b.type)),
        });
      } catch {
        // The filter falls back to free text.
      }
    },
    loadEvidence: async (offset) => {
      const id = state().selectedId;
      if (!id) return;
      patch((s) => ({ evidence: { ...s.evidence, id, offset, loading: true, error: null } }));
      try {
        const page = await api['findings:evidence']({ id, offset, limit: EVIDENCE_PAGE });
        if (state().selectedId !== id) return;
        patch({ evidence: { id, rows: page.rows, total: page.total, offset, loading: false, error: null } });
      } catch (error) {
        if (state().selectedId !== id) return;
        patch((s) => ({ evidence: { ...s.evidence, loading: false, error: toErrorInfo(error) } }));
      }
    },
  };
}
