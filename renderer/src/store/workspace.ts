import type { AccountRow, EntityRef, Scope } from '../../../shared/api/investigate';
import type { AccountEntry, AccountsList, AppInfo, CaseSummary, OrganizationInfo } from '../../../shared/api/schemas';
import { toErrorInfo, type ErrorInfo } from '../lib/api-client';
import type { TimeZoneMode } from '../lib/format';
import { latestOnly } from '../lib/latest';
import { patcher, type SliceDeps } from './types';

export type View = 'findings' | 'timeline' | 'graph' | 'hunt' | 'accounts';
export type Theme = 'dark' | 'light';

export const VIEWS: readonly View[] = ['findings', 'timeline', 'graph', 'hunt', 'accounts'];

/** Settings that survive a reload: theme and time zone. Storage can be missing (tests, locked-down pages). */
export interface Preferences {
  theme: Theme;
  timeZone: TimeZoneMode;
}

export function loadPreferences(storage: Pick<Storage, 'getItem'> | undefined): Preferences {
  const theme = storage?.getItem('loupe.theme');
  const tz = storage?.getItem('loupe.timeZone');
  return { theme: theme === 'light' ? 'light' : 'dark', timeZone: tz === 'local' ? 'local' : 'UTC' };
}

/** Per account and region, most severe first (accounts only named by others' events have no rows). */
export function accountRows(list: AccountsList): AccountRow[] {
  const rows = list.accounts.flatMap((a) => a.regions.map((r) => ({ accountId: a.accountId, ...r })));
  return rows.sort(
    (a, b) =>
      b.Critical - a.Critical ||
      b.High - a.High ||
      b.Medium - a.Medium ||
      b.Low - a.Low ||
      b.events - a.events ||
      a.accountId.localeCompare(b.accountId) ||
      a.region.localeCompare(b.region),
  );
}

export interface WorkspaceSlice {
  workspace: {
    info: AppInfo | null;
    summary: CaseSummary | null;
    summaryError: ErrorInfo | null;
    view: View;
    theme: Theme;
    timeZone: TimeZoneMode;
    /** Filters the timeline, graph and event list share; `accounts` also filters the findings list. */
    scope: Scope;
    accounts: {
      rows: AccountRow[] | null;
      /** Every account with its role in the organisation (from the logs or set by the analyst). */
      entries: AccountEntry[];
      organization: OrganizationInfo | null;
      loading: boolean;
      error: ErrorInfo | null;
      archived: 'exclude' | 'include' | 'only';
    };
  };
  loadSummary(): Promise<void>;
  setView(view: View): void;
  setTheme(theme: Theme): void;
  setTimeZone(tz: TimeZoneMode): void;
  setScope(update: Partial<Scope>): void;
  setAccountFilter(accounts: string[]): void;
  /** "All activity of this entity" in another view. */
  pivot(entity: EntityRef, view: 'timeline' | 'graph' | 'hunt'): void;
  loadAccounts(archived?: 'exclude' | 'include' | 'only'): Promise<void>;
}

export function createWorkspaceSlice(
  { set, get, api }: SliceDeps,
  prefs: Preferences,
  storage?: Pick<Storage, 'setItem'>,
): WorkspaceSlice {
  const patch = patcher(set, 'workspace');
  const summaryTicket = latestOnly();
  const accountsTicket = latestOnly();
  const save = (key: string, value: string) => {
    try {
      storage?.setItem(key, value);
    } catch {
      // Private windows may refuse storage; the setting still applies to this session.
    }
  };
  return {
    workspace: {
      info: null,
      summary: null,
      summaryError: null,
      view: 'findings',
      theme: prefs.theme,
      timeZone: prefs.timeZone,
      scope: {},
      accounts: { rows: null, entries: [], organization: null, loading: false, error: null, archived: 'exclude' },
    },
    loadSummary: async () => {
      const current = summaryTicket();
      try {
        const summary = await api['case:summary']({});
        if (current()) patch({ summary, summaryError: null });
      } catch (error) {
        if (current()) patch({ summaryError: toErrorInfo(error) });
      }
    },
    setView: (view) => patch({ view }),
    setTheme: (theme) => {
      save('loupe.theme', theme);
      patch({ theme });
    },
    setTimeZone: (timeZone) => {
      save('loupe.timeZone', timeZone);
      patch({ timeZone });
    },
    setScope: (update) => {
      const scope: Scope = { ...get().workspace.scope, ...update };
      for (const key of Object.keys(scope) as Array<keyof Scope>) {
        const v = scope[key];
        if (v === undefined || (Array.isArray(v) && v.length === 0)) delete scope[key];
      }
      const before = get().workspace.scope;
      patch({ scope });
      // The time range is shared with the findings list (the entity is not: findings have their own search).
      if (before.from !== scope.from || before.to !== scope.to) get().setFilter({ from: scope.from, to: scope.to });
    },
    setAccountFilter: (accounts) => {
      get().setScope({ accounts });
      get().setFilter({ accounts: accounts.length ? accounts : undefined });
    },
    pivot: (entity, view) => {
      get().setScope({ entity });
      if (view === 'graph') void get().loadGraph([entity]);
      if (view === 'hunt') void get().pivotToHunt(entity);
      patch({ view });
    },
    loadAccounts: async (archived) => {
      const mode = archived ?? get().workspace.accounts.archived;
      const current = accountsTicket();
      patch((s) => ({ accounts: { ...s.accounts, loading: true, archived: mode } }));
      try {
        const list = await api['accounts:list']({ archived: mode });
        if (!current()) return;
        patch((s) => ({
          accounts: {
            ...s.accounts,
            rows: accountRows(list),
            entries: list.accounts,
            organization: list.organization,
            loading: false,
            error: null,
          },
        }));
      } catch (error) {
        if (current()) patch((s) => ({ accounts: { ...s.accounts, loading: false, error: toErrorInfo(error) } }));
      }
    },
  };
}
