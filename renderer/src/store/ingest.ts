import type { FileRecord, JobFinishedEvent, JobInfo } from '../../../shared/api/schemas';
import { toErrorInfo, type ErrorInfo } from '../lib/api-client';
import { patcher, type SliceDeps } from './types';

/**
 * The case's loading state. `starting` until the first answer; `no-case` when nothing is open
 * and nothing loading; `loading` while a case-open job runs; `ready` once findings can be read.
 */
export type CasePhase = 'starting' | 'no-case' | 'loading' | 'ready' | 'failed';

const CASE_JOB_KINDS = new Set(['case:open', 'detect:run']);

export interface IngestSlice {
  ingest: {
    phase: CasePhase;
    jobId: string | null;
    error: ErrorInfo | null;
    problems: FileRecord[];
    problemsTotal: number;
  };
  startup(): Promise<void>;
  openPaths(paths: string[]): Promise<void>;
  refreshCase(): Promise<void>;
  loadProblemFiles(): Promise<void>;
  caseJobFinished(event: JobFinishedEvent, job: JobInfo | undefined): void;
}

export function createIngestSlice({ set, get, api }: SliceDeps): IngestSlice {
  const patch = patcher(set, 'ingest');
  return {
    ingest: { phase: 'starting', jobId: null, error: null, problems: [], problemsTotal: 0 },
    startup: async () => {
      try {
        const [info, jobs] = await Promise.all([api['app:info']({}), get().refreshJobs()]);
        set((s) => ({ workspace: { ...s.workspace, info } }));
        const loading = jobs.find((j) => j.status === 'running' && CASE_JOB_KINDS.has(j.kind));
        if (loading) {
          patch({ phase: 'loading', jobId: loading.jobId, error: null });
          return;
        }
        if (!info.caseOpen) {
          const failed = jobs.filter((j) => j.kind === 'case:open' && j.status === 'failed').at(-1);
          patch(failed ? { phase: 'failed', error: failed.error } : { phase: 'no-case' });
          return;
        }
        await get().refreshCase();
      } catch (error) {
        patch({ phase: 'failed', error: toErrorInfo(error) });
      }
    },
    openPaths: async (paths) => {
      try {
        const { jobId } = await api['case:open']({ paths });
        patch({ phase: 'loading', jobId, error: null });
        await get().refreshJobs();
      } catch (error) {
        get().notify({ kind: 'error', title: 'Could not open the case', error: toErrorInfo(error) });
      }
    },
    refreshCase: async () => {
      patch({ phase: 'ready', error: null, jobId: null });
      const info = api['app:info']({}).then(
        (i) => set((s) => ({ workspace: { ...s.workspace, info: i } })),
        () => undefined,
      );
      await Promise.all([
        info,
        get().loadSummary(),
        get().loadFindings(),
        get().loadProblemFiles(),
        get().loadTypeOptions(),
        get().loadAccounts(),
        get().loadCaseInfo(),
      ]);
    },
    loadProblemFiles: async () => {
      try {
        const [failed, skipped] = await Promise.all([
          api['files:list']({ status: 'failed', limit: 1000 }),
          api['files:list']({ status: 'skipped', limit: 1000 }),
        ]);
        patch({ problems: [...failed.rows, ...skipped.rows], problemsTotal: failed.total + skipped.total });
      } catch {
        // The header still shows the counts from the summary; the list is a convenience.
      }
    },
    caseJobFinished: (event, job) => {
      const isCaseJob = event.jobId === get().ingest.jobId || (job !== undefined && CASE_JOB_KINDS.has(job.kind));
      if (!isCaseJob) return;
      const label = job?.label ?? 'Loading the case';
      if (event.status === 'ok') {
        get().notify({ kind: 'job', title: label, jobId: event.jobId, status: 'ok', message: 'Finished.' });
        void get().refreshCase();
      } else if (event.status === 'cancelled') {
        get().notify({ kind: 'job', title: label, jobId: event.jobId, status: 'cancelled', message: 'Cancelled.' });
        patch({ phase: get().workspace.info?.caseOpen ? 'ready' : 'no-case', jobId: null });
      } else {
        const error = event.error ?? { code: 'INTERNAL', message: `${label} failed.` };
        patch({ phase: 'failed', error, jobId: null });
        get().notify({ kind: 'error', title: label, error });
      }
    },
  };
}
