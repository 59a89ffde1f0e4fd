import type { JobFinishedEvent, JobInfo, JobProgressEvent } from '../../../shared/api/schemas';
import { toErrorInfo } from '../lib/api-client';
import { patcher, type SliceDeps } from './types';

export interface JobsSlice {
  jobs: { byId: Record<string, JobInfo> };
  refreshJobs(): Promise<JobInfo[]>;
  jobProgress(event: JobProgressEvent): void;
  jobFinished(event: JobFinishedEvent): void;
  cancelJob(jobId: string): Promise<void>;
}

/** Running jobs first, then the most recent. */
export function runningJobs(byId: Record<string, JobInfo>): JobInfo[] {
  return Object.values(byId).filter((j) => j.status === 'running');
}

export function createJobsSlice({ set, get, api }: SliceDeps): JobsSlice {
  const patch = patcher(set, 'jobs');
  return {
    jobs: { byId: {} },
    refreshJobs: async () => {
      const list = await api['jobs:list']({});
      patch({ byId: Object.fromEntries(list.map((j) => [j.jobId, j])) });
      return list;
    },
    jobProgress: (event) => {
      const known = get().jobs.byId[event.jobId];
      if (!known) {
        // A job started elsewhere (CLI open, another window): learn its label once.
        void api['jobs:get']({ jobId: event.jobId }).then(
          (info) => patch((s) => ({ byId: { ...s.byId, [info.jobId]: info } })),
          () => undefined,
        );
        return;
      }
      patch((s) => ({ byId: { ...s.byId, [event.jobId]: { ...known, ...event } } }));
    },
    jobFinished: (event) => {
      const known = get().jobs.byId[event.jobId];
      if (known) {
        patch((s) => ({
          byId: {
            ...s.byId,
            [event.jobId]: { ...known, status: event.status, error: event.error, finishedAt: new Date().toISOString() },
          },
        }));
      }
      get().caseJobFinished(event, known);
      get().caseActionJobFinished(event);
      get().caseSettingsJobFinished(event);
    },
    cancelJob: async (jobId) => {
      try {
        await api['jobs:cancel']({ jobId });
      } catch (error) {
        get().notify({ kind: 'error', title: 'Could not cancel the job', error: toErrorInfo(error) });
      }
    },
  };
}
