import { formatCount, formatTime } from '../lib/format';
import { useAppStore } from '../store';
import { VIEWS, type View } from '../store/workspace';

const LABELS: Record<View, string> = {
  findings: 'Findings',
  timeline: 'Timeline',
  graph: 'Graph',
  hunt: 'Hunt',
  accounts: 'Accounts',
};

const ENTITY_LABELS: Record<string, string> = {
  principal: 'Principal',
  accessKey: 'Access key',
  ip: 'IP',
  instance: 'Instance',
  bucket: 'Bucket',
  domain: 'Domain',
  account: 'Account',
};

/** The views, and the shared filters in force (each removable). */
export function NavBar() {
  const view = useAppStore((s) => s.workspace.view);
  const setView = useAppStore((s) => s.setView);
  const scope = useAppStore((s) => s.workspace.scope);
  const setScope = useAppStore((s) => s.setScope);
  const setAccountFilter = useAppStore((s) => s.setAccountFilter);
  const tz = useAppStore((s) => s.workspace.timeZone);
  const total = useAppStore((s) => s.findings.counts?.total ?? null);
  const phase = useAppStore((s) => s.ingest.phase);

  return (
    <nav className="navbar">
      <div role="tablist" aria-label="Views" style={{ display: 'flex' }}>
        {VIEWS.map((v) => (
          <button
            key={v}
            type="button"
            role="tab"
            aria-selected={view === v}
            disabled={phase !== 'ready'}
            onClick={() => setView(v)}
          >
            {LABELS[v]}
            {v === 'findings' && total !== null ? <span className="count">{formatCount(total)}</span> : null}
          </button>
        ))}
      </div>
      <div className="scope-chips" aria-label="Shared filters">
        {scope.entity ? (
          <span className="chip" data-testid="entity-chip">
            <span className="chip-label">{ENTITY_LABELS[scope.entity.kind]}</span>
            <span className="chip-value mono" title={scope.entity.value}>
              {scope.entity.value}
            </span>
            <button type="button" aria-label="Remove entity filter" onClick={() => setScope({ entity: undefined })}>
              ×
            </button>
          </span>
        ) : null}
        {scope.accounts?.length ? (
          <span className="chip">
            <span className="chip-label">Account</span>
            <span className="chip-value mono">{scope.accounts.join(', ')}</span>
            <button type="button" aria-label="Remove account filter" onClick={() => setAccountFilter([])}>
              ×
            </button>
          </span>
        ) : null}
        {scope.from || scope.to ? (
          <span className="chip">
            <span className="chip-label">Time</span>
            <span className="chip-value">
              {formatTime(scope.from, tz, { seconds: false })} → {formatTime(scope.to, tz, { seconds: false })}
            </span>
            <button
              type="button"
              aria-label="Remove time range"
              onClick={() => setScope({ from: undefined, to: undefined })}
            >
              ×
            </button>
          </span>
        ) : null}
      </div>
    </nav>
  );
}
