import type {
  CaseState,
  Comment,
  CustodyRow,
  CustodyVerification,
  ExportFormat,
  FilterCondition,
  FindingStatus,
  JobFinishedEvent,
  Note,
  PlaybookView,
  SuppressionRuleInput,
} from '../../../shared/api/schemas';
import { toErrorInfo, type ErrorInfo } from '../lib/api-client';
import { patcher, type SliceDeps } from './types';

/**
 * What the analyst does to a case: archive, status and comments on the selected finding,
 * "suppress findings like this", its playbook, exports, notes and the chain of custody.
 * Every answer is keyed by the finding id it was asked for, so a late answer for a finding no
 * longer selected is dropped.
 */
export const CUSTODY_PAGE = 100;

export interface FindingWork {
  id: string | null;
  status: FindingStatus;
  comments: Comment[];
  busy: boolean;
  error: ErrorInfo | null;
}

export interface CaseActionsState {
  finding: FindingWork;
  playbook: { id: string | null; data: PlaybookView | null; loading: boolean; error: ErrorInfo | null };
  /** Export / verify jobs this window started, so their end becomes a toast with the right title. */
  jobs: Record<string, { title: string; kind: 'export' | 'verify'; outPath?: string }>;
  notes: { loaded: boolean; text: string; saving: boolean; error: ErrorInfo | null };
  custody: {
    rows: CustodyRow[];
    total: number;
    verification: CustodyVerification | null;
    loading: boolean;
    error: ErrorInfo | null;
    verifying: string | null;
  };
}

export interface CaseActionsSlice {
  caseActions: CaseActionsState;
  loadFindingWork(id: string): Promise<void>;
  setArchived(id: string, archived: boolean): Promise<void>;
  saveFindingWork(id: string, status: FindingStatus, comment: string): Promise<boolean>;
  suppressLike(finding: Record<string, unknown>): Promise<void>;
  loadPlaybook(id: string): Promise<void>;
  runExport(format: ExportFormat, outPath: string, includeArchived: boolean): Promise<void>;
  loadNotes(): Promise<void>;
  saveNotes(text: string): Promise<void>;
  loadCustody(): Promise<void>;
  verifyCustody(): Promise<void>;
  caseActionJobFinished(event: JobFinishedEvent): void;
}

/** The note the Case panel edits: one analyst note, kept under a fixed id. */
export const CASE_NOTE_ID = 'case-notes';

const get = (o: unknown, ...keys: string[]): unknown => {
  let cur = o;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
};

/** Resource fields that name the affected thing, most specific first (GuardDuty attribute names). */
const RESOURCE_KEYS: string[][] = [
  ['resource', 'accessKeyDetails', 'accessKeyId'],
  ['resource', 'accessKeyDetails', 'userName'],
  ['resource', 'instanceDetails', 'instanceId'],
  ['resource', 's3BucketDetails', 'name'],
  ['resource', 'eksClusterDetails', 'name'],
];

/** A GuardDuty filter criterion matching this finding's type, account and resource. */
export function likeCriterion(finding: Record<string, unknown>): Record<string, FilterCondition> {
  const criterion: Record<string, FilterCondition> = { type: { eq: [String(finding['type'])] } };
  if (typeof finding['accountId'] === 'string') criterion['accountId'] = { eq: [finding['accountId']] };
  for (const keys of RESOURCE_KEYS) {
    const value = get(finding, ...keys);
    if (typeof value === 'string' && value !== '') {
      criterion[keys.join('.')] = { eq: [value] };
      break;
    }
  }
  return criterion;
}

function noteFrom(state: CaseState): string {
  return state.notes.find((n) => n.id === CASE_NOTE_ID)?.text ?? '';
}

export function createCaseActionsSlice({ set, get: getState, api }: SliceDeps): CaseActionsSlice {
  const patch = patcher(set, 'caseActions');
  const state = () => getState().caseActions;
  const fail = (title: string, error: unknown) =>
    getState().notify({ kind: 'error', title, error: toErrorInfo(error) });

  const applyFindingState = (id: string, cs: CaseState) => {
    if (state().finding.id !== id) return;
    const fs = cs.findings[id];
    patch({
      finding: { id, status: fs?.status ?? 'new', comments: fs?.comments ?? [], busy: false, error: null },
    });
  };

  /** Archive state changes what the list shows: refresh it and the open detail. */
  const refreshFindings = async (id: string) => {
    await getState().loadFindings();
    if (getState().findings.selectedId === id) await getState().selectFinding(id, getState().findings.selectedIndex);
  };

  return {
    caseActions: {
      finding: { id: null, status: 'new', comments: [], busy: false, error: null },
      playbook: { id: null, data: null, loading: false, error: null },
      jobs: {},
      notes: { loaded: false, text: '', saving: false, error: null },
      custody: { rows: [], total: 0, verification: null, loading: false, error: null, verifying: null },
    },
    loadFindingWork: async (id) => {
      patch({ finding: { id, status: 'new', comments: [], busy: true, error: null } });
      try {
        applyFindingState(id, await api['case:state']({}));
      } catch (error) {
        if (state().finding.id === id)
          patch((s) => ({ finding: { ...s.finding, busy: false, error: toErrorInfo(error) } }));
      }
    },
    setArchived: async (id, archived) => {
      try {
        const out = await api[archived ? 'findings:archive' : 'findings:unarchive']({ ids: [id] });
        getState().notify({
          kind: 'success',
          title: archived ? 'Finding archived' : 'Finding unarchived',
          message: out.deferred ? 'It will be applied when the running load finishes.' : undefined,
        });
        await refreshFindings(id);
      } catch (error) {
        fail(archived ? 'Could not archive the finding' : 'Could not unarchive the finding', error);
      }
    },
    saveFindingWork: async (id, status, comment) => {
      patch((s) => ({ finding: { ...s.finding, busy: true, error: null } }));
      const text = comment.trim();
      try {
        const cs = await api['case:updateState']({
          findings: { [id]: text ? { status, comment: { text } } : { status } },
        });
        applyFindingState(id, cs);
        getState().notify({ kind: 'success', title: 'Finding saved' });
        return true;
      } catch (error) {
        if (state().finding.id === id)
          patch((s) => ({ finding: { ...s.finding, busy: false, error: toErrorInfo(error) } }));
        return false;
      }
    },
    suppressLike: async (finding) => {
      const type = String(finding['type']);
      const rule: SuppressionRuleInput = {
        name: `Suppress ${type}`.slice(0, 64),
        description: `Created from finding ${String(finding['id'])}.`.slice(0, 512),
        criterion: likeCriterion(finding),
      };
      try {
        const out = await api['suppression:save']({ rule });
        getState().notify({
          kind: 'success',
          title: 'Suppression rule saved',
          message: out.deferred
            ? 'It will be applied when the running load finishes.'
            : `${out.archived} finding(s) archived.`,
        });
        await getState().loadFindings();
        // The Case panel's rule list, when it has been opened, shows the new rule at once.
        if (getState().caseSettings.suppression.loaded) await getState().loadSuppression();
      } catch (error) {
        fail('Could not save the suppression rule', error);
      }
    },
    loadPlaybook: async (id) => {
      patch({ playbook: { id, data: null, loading: true, error: null } });
      try {
        const data = await api['findings:playbook']({ id });
        if (state().playbook.id === id) patch({ playbook: { id, data, loading: false, error: null } });
      } catch (error) {
        if (state().playbook.id === id)
          patch({ playbook: { id, data: null, loading: false, error: toErrorInfo(error) } });
      }
    },
    runExport: async (format, outPath, includeArchived) => {
      try {
        const { jobId } = await api['export:run']({ format, outPath, includeArchived });
        patch((s) => ({ jobs: { ...s.jobs, [jobId]: { title: `Export ${format}`, kind: 'export', outPath } } }));
        getState().notify({ kind: 'job', title: `Export ${format}`, jobId, status: 'running', message: 'Started.' });
        await getState().refreshJobs();
      } catch (error) {
        fail(`Could not export ${format}`, error);
      }
    },
    loadNotes: async () => {
      try {
        const cs = await api['case:state']({});
        patch({ notes: { loaded: true, text: noteFrom(cs), saving: false, error: null } });
      } catch (error) {
        patch((s) => ({ notes: { ...s.notes, error: toErrorInfo(error) } }));
      }
    },
    saveNotes: async (text) => {
      patch((s) => ({ notes: { ...s.notes, saving: true, error: null } }));
      try {
        // Notes are replaced whole: keep every other note as it is.
        const current = await api['case:state']({});
        const now = new Date().toISOString();
        const old = current.notes.find((n) => n.id === CASE_NOTE_ID);
        const mine: Note = {
          id: CASE_NOTE_ID,
          title: 'Case notes',
          text,
          createdAt: old?.createdAt ?? now,
          updatedAt: now,
        };
        const notes = [...current.notes.filter((n) => n.id !== CASE_NOTE_ID), mine];
        const cs = await api['case:updateState']({ notes });
        patch({ notes: { loaded: true, text: noteFrom(cs), saving: false, error: null } });
        getState().notify({ kind: 'success', title: 'Notes saved' });
      } catch (error) {
        patch((s) => ({ notes: { ...s.notes, saving: false, error: toErrorInfo(error) } }));
      }
    },
    loadCustody: async () => {
      patch((s) => ({ custody: { ...s.custody, loading: true, error: null } }));
      try {
        const out = await api['custody:list']({ offset: 0, limit: CUSTODY_PAGE });
        patch((s) => ({
          custody: {
            ...s.custody,
            rows: out.rows,
            total: out.total,
            verification: out.verification,
            loading: false,
            error: null,
          },
        }));
      } catch (error) {
        patch((s) => ({ custody: { ...s.custody, loading: false, error: toErrorInfo(error) } }));
      }
    },
    verifyCustody: async () => {
      try {
        const { jobId } = await api['custody:verify']({});
        patch((s) => ({
          jobs: { ...s.jobs, [jobId]: { title: 'Verify chain of custody', kind: 'verify' } },
          custody: { ...s.custody, verifying: jobId },
        }));
        await getState().refreshJobs();
      } catch (error) {
        fail('Could not start the verification', error);
      }
    },
    caseActionJobFinished: (event) => {
      const job = state().jobs[event.jobId];
      if (!job) return;
      patch((s) => {
        const { [event.jobId]: _done, ...jobs } = s.jobs;
        return { jobs };
      });
      if (event.status === 'failed') {
        getState().notify({
          kind: 'error',
          title: job.title,
          error: event.error ?? { code: 'INTERNAL', message: `${job.title} failed.` },
        });
      } else {
        const message =
          event.status === 'ok' ? (job.outPath ? `Written to ${job.outPath}` : 'Finished.') : 'Cancelled.';
        getState().notify({ kind: 'job', title: job.title, jobId: event.jobId, status: event.status, message });
      }
      if (job.kind === 'verify') {
        patch((s) => ({ custody: { ...s.custody, verifying: null } }));
        void getState().loadCustody();
      }
    },
  };
}
