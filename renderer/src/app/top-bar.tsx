import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { CasePanel } from '../features/case-actions/case-panel';
import { ExportMenu } from '../features/case-actions/export-menu';
import { formatCompact, formatCount, formatTime } from '../lib/format';
import { useAppStore } from '../store';
import { runningJobs } from '../store/jobs';

function JobIndicator() {
  const jobs = useAppStore(useShallow((s) => runningJobs(s.jobs.byId)));
  const cancelJob = useAppStore((s) => s.cancelJob);
  const job = jobs[0];
  if (!job) return null;
  const pct = job.total ? Math.min(100, Math.round((job.done / job.total) * 100)) : null;
  return (
    <span className="job-pill" data-testid="job-indicator" title={job.message}>
      <span>
        {job.label}: {job.phase}
        {pct !== null ? ` ${pct}%` : ''}
      </span>
      <span className="progress" aria-hidden>
        <div style={{ width: `${pct ?? 30}%` }} />
      </span>
      <button type="button" className="ghost small" onClick={() => void cancelJob(job.jobId)}>
        Cancel
      </button>
    </span>
  );
}

export function TopBar() {
  const summary = useAppStore((s) => s.workspace.summary);
  const tz = useAppStore((s) => s.workspace.timeZone);
  const theme = useAppStore((s) => s.workspace.theme);
  const setTimeZone = useAppStore((s) => s.setTimeZone);
  const setTheme = useAppStore((s) => s.setTheme);
  const problems = useAppStore((s) => s.ingest.problemsTotal);
  const ready = useAppStore((s) => s.ingest.phase === 'ready');
  const [caseOpen, setCaseOpen] = useState(false);

  const events = summary?.sources.reduce((n, s) => n + s.events, 0) ?? 0;
  const first = summary?.sources
    .map((s) => s.firstEvent)
    .filter((x): x is string => !!x)
    .sort()[0];
  const last = summary?.sources
    .map((s) => s.lastEvent)
    .filter((x): x is string => !!x)
    .sort()
    .at(-1);

  return (
    <header className="topbar">
      <span className="brand">
        <span className="dot" aria-hidden />
        Loupe
      </span>
      {summary ? (
        <div className="stats" data-testid="case-stats">
          <span className="case-name" title={summary.workspaceDir}>
            {summary.name}
          </span>
          <span>
            <b>{formatCount(summary.filesLoaded)}</b> files
          </span>
          {summary.sources.map((s) => (
            <span
              key={s.source}
              className={`source-tag ${s.source}`}
              title={`${formatCount(s.events)} ${s.source} events in ${s.files} files`}
            >
              <b>{formatCompact(s.events)}</b> {s.source}
            </span>
          ))}
          <span title={`${formatCount(events)} events`}>
            <b>{formatCount(events)}</b> events
          </span>
          {summary.filesSkipped > 0 ? (
            <span
              className="warn"
              title={`${problems} files were skipped or failed; see the Accounts tab for the list`}
            >
              <b>{summary.filesSkipped}</b> skipped
            </span>
          ) : null}
          {summary.filesFailed > 0 ? (
            <span className="bad">
              <b>{summary.filesFailed}</b> failed
            </span>
          ) : null}
          {first && last ? (
            <span>
              {formatTime(first, tz, { seconds: false })} → {formatTime(last, tz, { seconds: false })}
            </span>
          ) : null}
        </div>
      ) : null}
      <span className="spacer" />
      <JobIndicator />
      {ready ? (
        <>
          <ExportMenu />
          <button type="button" className="small" aria-expanded={caseOpen} onClick={() => setCaseOpen(!caseOpen)}>
            Case
          </button>
        </>
      ) : null}
      {ready && caseOpen ? <CasePanel onClose={() => setCaseOpen(false)} /> : null}
      <span className="segmented" role="group" aria-label="Time zone">
        <button type="button" aria-pressed={tz === 'UTC'} onClick={() => setTimeZone('UTC')}>
          UTC
        </button>
        <button type="button" aria-pressed={tz === 'local'} onClick={() => setTimeZone('local')}>
          Local
        </button>
      </span>
      <span className="segmented" role="group" aria-label="Theme">
        <button type="button" aria-pressed={theme === 'dark'} onClick={() => setTheme('dark')}>
          Dark
        </button>
        <button type="button" aria-pressed={theme === 'light'} onClick={() => setTheme('light')}>
          Light
        </button>
      </span>
    </header>
  );
}
