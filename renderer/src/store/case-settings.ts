import type {
  AccountRole,
  CaseInfo,
  FeedView,
  FeedsView,
  IntelImportInput,
  IntelListView,
  IntelUpdateInput,
  JobFinishedEvent,
  SuppressionRule,
  SuppressionRuleInput,
} from '../../../shared/api/schemas';
import { toErrorInfo, type ErrorInfo } from '../lib/api-client';
import { latestOnly } from '../lib/latest';
import { caseFolderFor, folderProblem } from '../lib/paths';
import { patcher, type SliceDeps } from './types';

/**
 * The case as a thing on disk and its detection settings: Save / Save As (a typed folder, since
 * web mode has no native dialog), the learning period and re-running detections, suppression
 * rules, and the analyst's names and roles for accounts. Lists that `case:updateState` replaces
 * whole (accounts) are re-read just before they are written, so no other change is lost.
 */
export interface CaseSettingsState {
  info: CaseInfo | null;
  save: { busy: boolean; error: ErrorInfo | null; savedTo: string | null };
  learning: {
    loaded: boolean;
    /** null: automatic (the first 7 days of each source, or its first quarter when shorter). */
    days: number | null;
    saving: boolean;
    error: ErrorInfo | null;
    /** The detection run started from here, while it runs. */
    rerunJobId: string | null;
  };
  suppression: {
    loaded: boolean;
    rules: SuppressionRule[];
    archivedBy: Record<string, number>;
    loading: boolean;
    error: ErrorInfo | null;
    saving: boolean;
    saveError: ErrorInfo | null;
  };
  accountEdit: { busy: string | null; error: ErrorInfo | null };
  intel: {
    loaded: boolean;
    lists: IntelListView[];
    error: ErrorInfo | null;
    /** An import or change in flight (the call, not the detection run it starts). */
    busy: boolean;
    /** Why the last import or change was refused (a malformed list names its line). */
    actionError: ErrorInfo | null;
    /** The detection run the last change started, while it runs. */
    jobId: string | null;
  };
  /** Public feeds: the copies kept in the feed folder, and the download job while it runs. */
  feeds: { view: FeedsView | null; error: ErrorInfo | null; jobId: string | null };
}

export interface CaseSettingsSlice {
  caseSettings: CaseSettingsState;
  loadCaseInfo(): Promise<void>;
  saveCase(): Promise<boolean>;
  saveCaseAs(dir: string, name?: string): Promise<boolean>;
  loadLearning(): Promise<void>;
  setLearningPeriod(days: number | null): Promise<boolean>;
  rerunDetections(): Promise<void>;
  loadSuppression(): Promise<void>;
  saveSuppression(rule: SuppressionRuleInput): Promise<boolean>;
  deleteSuppression(id: string): Promise<void>;
  setAccountInfo(accountId: string, update: { role?: AccountRole | null; name?: string | null }): Promise<boolean>;
  loadIntel(): Promise<void>;
  loadFeeds(): Promise<void>;
  /** Downloads every feed (a job); the copies in use change only for feeds that download cleanly. */
  fetchFeeds(): Promise<void>;
  /** Loads a feed's kept copy into the case as a list (an import of its file). */
  useFeed(feed: FeedView): Promise<boolean>;
  importIntel(input: IntelImportInput): Promise<boolean>;
  updateIntel(input: IntelUpdateInput): Promise<boolean>;
  removeIntel(id: string): Promise<boolean>;
  caseSettingsJobFinished(event: JobFinishedEvent): void;
}

const localError = (message: string, hint?: string): ErrorInfo => ({ code: 'INVALID_INPUT', message, hint });

export function createCaseSettingsSlice({ set, get, api }: SliceDeps): CaseSettingsSlice {
  const patch = patcher(set, 'caseSettings');
  const state = () => get().caseSettings;
  const infoTicket = latestOnly();
  const learningTicket = latestOnly();
  const suppressionTicket = latestOnly();
  const intelTicket = latestOnly();
  const feedsTicket = latestOnly();
  /** Account edits read the list, change one entry and write it whole: one at a time, in order. */
  let accountWrites: Promise<boolean> = Promise.resolve(true);

  /** Rule changes archive or unarchive findings: the list, counts and accounts follow. */
  const afterRulesChanged = async () => {
    await Promise.all([get().loadSuppression(), get().loadFindings(), get().loadAccounts()]);
  };

  /** A list change: the engine loads or drops the list, then re-runs detections as a job. */
  const intelChange = async (title: string, run: () => Promise<{ jobId: string | null }>): Promise<boolean> => {
    patch((s) => ({ intel: { ...s.intel, busy: true, actionError: null } }));
    try {
      const { jobId } = await run();
      patch((s) => ({ intel: { ...s.intel, busy: false, jobId } }));
      get().notify(
        jobId
          ? {
              kind: 'job',
              title,
              jobId,
              status: 'running',
              message: 'Re-running detections; the findings refresh when it ends.',
            }
          : { kind: 'success', title, message: 'Nothing to re-run.' },
      );
      // The feeds say which copies the case uses: they follow the lists.
      await Promise.all([get().loadIntel(), state().feeds.view ? get().loadFeeds() : undefined]);
      if (jobId) await get().refreshJobs();
      return true;
    } catch (error) {
      patch((s) => ({ intel: { ...s.intel, busy: false, actionError: toErrorInfo(error) } }));
      return false;
    }
  };

  return {
    caseSettings: {
      info: null,
      save: { busy: false, error: null, savedTo: null },
      learning: { loaded: false, days: null, saving: false, error: null, rerunJobId: null },
      suppression: {
        loaded: false,
        rules: [],
        archivedBy: {},
        loading: false,
        error: null,
        saving: false,
        saveError: null,
      },
      accountEdit: { busy: null, error: null },
      intel: { loaded: false, lists: [], error: null, busy: false, actionError: null, jobId: null },
      feeds: { view: null, error: null, jobId: null },
    },
    loadCaseInfo: async () => {
      const current = infoTicket();
      try {
        const { case: info } = await api['case:info']({});
        if (current()) patch({ info });
      } catch {
        // The panel still offers Save As; its own call reports what is wrong.
      }
    },
    saveCase: async () => {
      patch({ save: { busy: true, error: null, savedTo: null } });
      try {
        const info = await api['case:save']({});
        patch({ info, save: { busy: false, error: null, savedTo: info.dir } });
        get().notify({ kind: 'success', title: 'Case saved', message: info.dir });
        return true;
      } catch (error) {
        patch({ save: { busy: false, error: toErrorInfo(error), savedTo: null } });
        return false;
      }
    },
    saveCaseAs: async (dir, name) => {
      const problem = folderProblem(dir);
      if (problem) {
        patch({ save: { busy: false, error: localError(problem), savedTo: null } });
        return false;
      }
      patch({ save: { busy: true, error: null, savedTo: null } });
      try {
        const info = await api['case:saveAs']({ dir: dir.trim(), ...(name?.trim() ? { name: name.trim() } : {}) });
        patch({ info, save: { busy: false, error: null, savedTo: info.dir } });
        get().notify({ kind: 'success', title: 'Case saved', message: `Saved to ${info.dir}` });
        // The case now lives in the new folder (and may have a new name).
        void get().loadSummary();
        return true;
      } catch (error) {
        const info = toErrorInfo(error);
        patch({
          save: {
            busy: false,
            error: { ...info, hint: info.hint ?? `The case was not copied to ${caseFolderFor(dir)}.` },
            savedTo: null,
          },
        });
        return false;
      }
    },
    loadLearning: async () => {
      const current = learningTicket();
      try {
        const cs = await api['case:state']({});
        if (!current()) return;
        patch((s) => ({
          learning: { ...s.learning, loaded: true, days: cs.settings.learningPeriodDays ?? null, error: null },
        }));
      } catch (error) {
        if (current()) patch((s) => ({ learning: { ...s.learning, error: toErrorInfo(error) } }));
      }
    },
    setLearningPeriod: async (days) => {
      if (days !== null && (!Number.isInteger(days) || days < 0 || days > 365)) {
        patch((s) => ({
          learning: { ...s.learning, error: localError('The learning period is a whole number of days, 0 to 365.') },
        }));
        return false;
      }
      patch((s) => ({ learning: { ...s.learning, saving: true, error: null } }));
      try {
        // null removes the setting: the engine goes back to choosing the period itself.
        const cs = await api['case:updateState']({ settings: { learningPeriodDays: days } });
        patch((s) => ({
          learning: { ...s.learning, loaded: true, saving: false, days: cs.settings.learningPeriodDays ?? null },
        }));
        return true;
      } catch (error) {
        patch((s) => ({ learning: { ...s.learning, saving: false, error: toErrorInfo(error) } }));
        return false;
      }
    },
    rerunDetections: async () => {
      try {
        const { jobId } = await api['detect:run']({});
        patch((s) => ({ learning: { ...s.learning, rerunJobId: jobId } }));
        get().notify({
          kind: 'job',
          title: 'Re-run detections',
          jobId,
          status: 'running',
          message: 'Started; the findings refresh when it ends.',
        });
        await get().refreshJobs();
      } catch (error) {
        get().notify({ kind: 'error', title: 'Could not re-run detections', error: toErrorInfo(error) });
      }
    },
    loadSuppression: async () => {
      const current = suppressionTicket();
      patch((s) => ({ suppression: { ...s.suppression, loading: true, error: null } }));
      try {
        const { rules, archivedBy } = await api['suppression:list']({});
        if (!current()) return;
        patch((s) => ({ suppression: { ...s.suppression, loaded: true, rules, archivedBy, loading: false } }));
      } catch (error) {
        if (current()) patch((s) => ({ suppression: { ...s.suppression, loading: false, error: toErrorInfo(error) } }));
      }
    },
    saveSuppression: async (rule) => {
      patch((s) => ({ suppression: { ...s.suppression, saving: true, saveError: null } }));
      try {
        const out = await api['suppression:save']({ rule });
        patch((s) => ({ suppression: { ...s.suppression, saving: false } }));
        get().notify({
          kind: 'success',
          title: `Suppression rule "${out.rule.name}" saved`,
          message: out.deferred
            ? 'It will be applied when the running job finishes.'
            : `${out.archived} finding(s) archived, ${out.unarchived} unarchived.`,
        });
        await afterRulesChanged();
        return true;
      } catch (error) {
        patch((s) => ({ suppression: { ...s.suppression, saving: false, saveError: toErrorInfo(error) } }));
        return false;
      }
    },
    deleteSuppression: async (id) => {
      const name = state().suppression.rules.find((r) => r.id === id)?.name ?? id;
      try {
        const out = await api['suppression:delete']({ id });
        get().notify({
          kind: 'success',
          title: out.deleted ? `Suppression rule "${name}" deleted` : `Suppression rule "${name}" was already gone`,
          message: out.deferred ? 'Applied when the running job finishes.' : `${out.unarchived} finding(s) unarchived.`,
        });
        await afterRulesChanged();
      } catch (error) {
        get().notify({ kind: 'error', title: `Could not delete "${name}"`, error: toErrorInfo(error) });
      }
    },
    setAccountInfo: (accountId, update) => {
      const run = async (): Promise<boolean> => {
        patch({ accountEdit: { busy: accountId, error: null } });
        try {
          const current = await api['case:state']({});
          const previous = current.accounts.find((a) => a.accountId === accountId) ?? { accountId };
          const next: Record<string, unknown> = { ...previous };
          for (const key of ['role', 'name'] as const) {
            const value = update[key];
            if (value === undefined) continue;
            if (value === null || value === '') delete next[key];
            else next[key] = value;
          }
          const keep = current.accounts.filter((a) => a.accountId !== accountId);
          // An entry with nothing but the id says nothing: drop it.
          const accounts = Object.keys(next).length > 1 ? [...keep, next as (typeof keep)[number]] : keep;
          await api['case:updateState']({ accounts });
          patch({ accountEdit: { busy: null, error: null } });
          await get().loadAccounts();
          return true;
        } catch (error) {
          patch({ accountEdit: { busy: null, error: toErrorInfo(error) } });
          return false;
        }
      };
      const done = accountWrites.then(run);
      accountWrites = done;
      return done;
    },
    loadIntel: async () => {
      const current = intelTicket();
      try {
        const { lists } = await api['intel:lists']({});
        if (current()) patch((s) => ({ intel: { ...s.intel, loaded: true, lists, error: null } }));
      } catch (error) {
        if (current()) patch((s) => ({ intel: { ...s.intel, error: toErrorInfo(error) } }));
      }
    },
    loadFeeds: async () => {
      const current = feedsTicket();
      try {
        const view = await api['intel:feeds']({});
        if (current()) patch((s) => ({ feeds: { ...s.feeds, view, error: null } }));
      } catch (error) {
        if (current()) patch((s) => ({ feeds: { ...s.feeds, error: toErrorInfo(error) } }));
      }
    },
    fetchFeeds: async () => {
      try {
        const { jobId } = await api['intel:fetchFeeds']({});
        patch((s) => ({ feeds: { ...s.feeds, jobId, error: null } }));
        get().notify({
          kind: 'job',
          title: 'Download threat feeds',
          jobId,
          status: 'running',
          message: 'A feed that fails keeps its previous copy.',
        });
        await get().refreshJobs();
      } catch (error) {
        patch((s) => ({ feeds: { ...s.feeds, error: toErrorInfo(error) } }));
      }
    },
    useFeed: async (feed) => (feed.copy ? get().importIntel({ path: feed.copy.path, kind: feed.kind }) : false),
    importIntel: async (input) =>
      intelChange(`List ${input.path.split(/[\\/]/).pop() ?? input.path} imported`, () => api['intel:import'](input)),
    updateIntel: async (input) => {
      const name = state().intel.lists.find((l) => l.id === input.id)?.name ?? input.id;
      const what = input.enabled === false ? 'switched off' : input.enabled === true ? 'switched on' : 'rescoped';
      return intelChange(`List ${name} ${what}`, () => api['intel:update'](input));
    },
    removeIntel: async (id) => {
      const name = state().intel.lists.find((l) => l.id === id)?.name ?? id;
      return intelChange(`List ${name} removed`, () => api['intel:remove']({ id }));
    },
    caseSettingsJobFinished: (event) => {
      if (state().feeds.jobId === event.jobId) {
        patch((s) => ({ feeds: { ...s.feeds, jobId: null } }));
        void get().loadFeeds();
        const title = 'Download threat feeds';
        if (event.status === 'failed') {
          get().notify({
            kind: 'error',
            title,
            error: event.error ?? { code: 'INTERNAL', message: `${title} failed.` },
          });
        } else {
          // The job's last message says how many feeds updated and why any did not.
          void api['jobs:get']({ jobId: event.jobId }).then(
            (info) =>
              get().notify({ kind: 'job', title, jobId: event.jobId, status: event.status, message: info.message }),
            () => undefined,
          );
        }
      }
      if (state().intel.jobId === event.jobId) {
        patch((s) => ({ intel: { ...s.intel, jobId: null } }));
        void get().loadIntel();
      }
      if (state().learning.rerunJobId !== event.jobId) return;
      patch((s) => ({ learning: { ...s.learning, rerunJobId: null } }));
      if (event.status === 'ok' && state().suppression.loaded) void get().loadSuppression();
    },
  };
}
