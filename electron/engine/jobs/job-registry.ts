import { randomUUID } from 'node:crypto';
import type { JobFinishedEvent, JobInfo, JobProgressEvent } from '../../../shared/api/schemas';
import { LoupeError, toErrorShape } from '../../../shared/errors';

/**
 * Every long operation is a job: the caller gets an id at once, progress is pushed a few times
 * a second, and exactly one `finished` event closes it. Cancel aborts the job's signal, which
 * the job passes on to DuckDB (interrupt) and the S3 client (abortSignal).
 */
export interface Progress {
  phase?: string;
  done?: number;
  total?: number | null;
  message?: string;
}

export interface JobContext {
  signal: AbortSignal;
  report(progress: Progress): void;
}

export interface JobListener {
  progress(event: JobProgressEvent): void;
  finished(event: JobFinishedEvent): void;
}

interface JobRecord {
  info: JobInfo;
  controller: AbortController;
  done: Promise<unknown>;
  lastEmit: number;
}

const PROGRESS_INTERVAL_MS = 250;

export class JobRegistry {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly listeners = new Set<JobListener>();

  /** Returns a disposer. */
  subscribe(listener: JobListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start<T>(
    kind: string,
    label: string,
    work: (ctx: JobContext) => Promise<T>,
    options: { timeoutMs?: number } = {},
  ): { jobId: string; done: Promise<T> } {
    const jobId = randomUUID();
    const controller = new AbortController();
    const info: JobInfo = {
      jobId,
      kind,
      label,
      status: 'running',
      phase: 'starting',
      done: 0,
      total: null,
      message: label,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      error: null,
    };
    const record: JobRecord = { info, controller, done: Promise.resolve(), lastEmit: 0 };
    this.jobs.set(jobId, record);

    const timer = options.timeoutMs
      ? setTimeout(() => controller.abort(new Error('timeout')), options.timeoutMs)
      : undefined;
    const ctx: JobContext = {
      signal: controller.signal,
      report: (progress) => {
        if (progress.phase !== undefined) info.phase = progress.phase;
        if (progress.done !== undefined) info.done = progress.done;
        if (progress.total !== undefined) info.total = progress.total;
        if (progress.message !== undefined) info.message = progress.message;
        const now = Date.now();
        if (now - record.lastEmit >= PROGRESS_INTERVAL_MS || progress.phase !== undefined) {
          record.lastEmit = now;
          this.emitProgress(info);
        }
      },
    };

    const done = (async () => {
      try {
        const value = await work(ctx);
        if (controller.signal.aborted) throw new LoupeError('JOB_CANCELLED', `${label}: cancelled.`);
        info.status = 'ok';
        return value;
      } catch (error) {
        if (controller.signal.aborted) {
          info.status = 'cancelled';
          info.error = { code: 'JOB_CANCELLED', message: `${label}: cancelled.` };
        } else {
          info.status = 'failed';
          info.error = toErrorShape(error);
        }
        throw error;
      } finally {
        if (timer) clearTimeout(timer);
        info.finishedAt = new Date().toISOString();
        info.phase = info.status === 'ok' ? 'done' : info.status;
        this.emitProgress(info);
        for (const l of this.listeners) l.finished({ jobId, status: info.status, error: info.error });
      }
    })();
    // The registry keeps the outcome in `info`; callers that await `done` see the error too.
    done.catch(() => undefined);
    record.done = done;
    return { jobId, done };
  }

  get(jobId: string): JobInfo {
    const record = this.jobs.get(jobId);
    if (!record) throw new LoupeError('JOB_NOT_FOUND', `No job with id ${jobId}.`);
    return { ...record.info };
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((r) => ({ ...r.info }));
  }

  cancel(jobId: string): boolean {
    const record = this.jobs.get(jobId);
    if (!record) throw new LoupeError('JOB_NOT_FOUND', `No job with id ${jobId}.`);
    if (record.info.status !== 'running') return false;
    record.controller.abort();
    return true;
  }

  async wait(jobId: string): Promise<JobInfo> {
    const record = this.jobs.get(jobId);
    if (!record) throw new LoupeError('JOB_NOT_FOUND', `No job with id ${jobId}.`);
    await record.done.catch(() => undefined);
    return { ...record.info };
  }

  cancelAll(): void {
    for (const record of this.jobs.values()) if (record.info.status === 'running') record.controller.abort();
  }

  private emitProgress(info: JobInfo): void {
    const event: JobProgressEvent = {
      jobId: info.jobId,
      phase: info.phase,
      done: info.done,
      total: info.total,
      message: info.message,
    };
    for (const l of this.listeners) l.progress(event);
  }
}
