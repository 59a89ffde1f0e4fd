import { useState, type FormEvent, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { EmptyState } from '../../components/empty-state';
import { ErrorPanel } from '../../components/error-panel';
import { formatCount } from '../../lib/format';
import { useAppStore } from '../../store';

function OpenForm({ label }: { label: string }) {
  const openPaths = useAppStore((s) => s.openPaths);
  const [path, setPath] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const paths = path
      .split('\n')
      .map((p) => p.trim())
      .filter(Boolean);
    if (paths.length) void openPaths(paths);
  };
  return (
    <form onSubmit={submit}>
      <input
        type="text"
        value={path}
        onChange={(e) => setPath(e.target.value)}
        placeholder="/path/to/AWSLogs or a .zip / .json.gz"
        aria-label="Path to logs"
      />
      <button type="submit" className="primary" disabled={!path.trim()}>
        {label}
      </button>
    </form>
  );
}

function Loading() {
  const job = useAppStore(useShallow((s) => (s.ingest.jobId ? (s.jobs.byId[s.ingest.jobId] ?? null) : null)));
  const cancelJob = useAppStore((s) => s.cancelJob);
  const pct = job?.total ? Math.min(100, Math.round((job.done / job.total) * 100)) : null;
  return (
    <EmptyState title="Loading the case">
      <div>Reading the logs into the case database, then running the detections.</div>
      <div className="job-card" data-testid="case-loading">
        <div className="phase">{job ? `${job.label} — ${job.phase}` : 'Starting…'}</div>
        <div className="msg" title={job?.message}>
          {job?.message ?? ''}
          {job?.total ? ` (${formatCount(job.done)} / ${formatCount(job.total)})` : ''}
        </div>
        <div className="progress" aria-label="Progress">
          <div style={{ width: `${pct ?? 8}%` }} />
        </div>
        {job ? (
          <div style={{ marginTop: 10 }}>
            <button type="button" className="small" onClick={() => void cancelJob(job.jobId)}>
              Cancel
            </button>
          </div>
        ) : null}
      </div>
    </EmptyState>
  );
}

/** What shows instead of the views until a case is ready: starting, nothing open, loading, failed. */
export function CaseGate({ children }: { children: ReactNode }) {
  const phase = useAppStore((s) => s.ingest.phase);
  const error = useAppStore((s) => s.ingest.error);
  const shell = useAppStore((s) => s.workspace.info?.shell);
  const startup = useAppStore((s) => s.startup);

  switch (phase) {
    case 'starting':
      return <div className="loading-line" aria-label="Connecting to the engine" />;
    case 'loading':
      return <Loading />;
    case 'no-case':
      return (
        <EmptyState title="No case is open">
          <p>
            {shell === 'desktop' ? (
              <>
                Use <b>File → Open folder</b> to pick a folder of AWS logs (CloudTrail, VPC Flow Logs, Route 53 Resolver
                logs), or type its path below.
              </>
            ) : (
              <>
                Start web mode with a folder of logs (<code>npm run serve -- /path/to/AWSLogs</code>), or type a path on
                this machine below.
              </>
            )}
          </p>
          <OpenForm label="Open" />
        </EmptyState>
      );
    case 'failed':
      return (
        <div className="view" style={{ overflow: 'auto' }}>
          <ErrorPanel
            error={error ?? { code: 'INTERNAL', message: 'The case could not be opened.' }}
            action={{ label: 'Retry', run: () => void startup() }}
          />
          <EmptyState title="The case could not be opened">
            <p>Check the path and the message above, then open the logs again.</p>
            <OpenForm label="Open" />
          </EmptyState>
        </div>
      );
    case 'ready':
      return <>{children}</>;
  }
}
