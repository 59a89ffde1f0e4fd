import type { JobRegistry } from '../engine/jobs/job-registry';
import type { Output } from './common';

/**
 * Job progress as plain lines on stderr: every phase change, and within a phase at most one
 * line every `intervalMs`, so a long load shows it is alive without flooding a log file.
 */
export function reportProgress(jobs: JobRegistry, io: Output, options: { intervalMs?: number } = {}): () => void {
  const interval = options.intervalMs ?? 2000;
  const last = new Map<string, { phase: string; at: number }>();
  return jobs.subscribe({
    progress: (event) => {
      const now = Date.now();
      const prev = last.get(event.jobId);
      if (prev && prev.phase === event.phase && now - prev.at < interval) return;
      last.set(event.jobId, { phase: event.phase, at: now });
      const count = event.total ? ` ${event.done}/${event.total}` : event.done ? ` ${event.done}` : '';
      io.err(`[${event.phase}]${count} ${event.message}`.trimEnd());
    },
    finished: (event) => {
      last.delete(event.jobId);
    },
  });
}
