import { EmptyState } from '../../components/empty-state';
import { ErrorPanel } from '../../components/error-panel';
import { SeverityBadge } from '../../components/severity-badge';
import { formatCount, formatTime } from '../../lib/format';
import { useAppStore } from '../../store';

/** Findings grouped by type or resource; a click drills into the group's findings. */
export function GroupList() {
  const groups = useAppStore((s) => s.findings.groups);
  const by = useAppStore((s) => s.findings.groupBy);
  const drillInto = useAppStore((s) => s.drillInto);
  const tz = useAppStore((s) => s.workspace.timeZone);
  if (groups.error) return <ErrorPanel error={groups.error} />;
  if (!groups.loading && groups.rows.length === 0) return <EmptyState title="No findings match these filters" />;
  return (
    <div className="scroll" data-testid="group-list">
      <div className="grid-head group-cols">
        <span>Max sev.</span>
        <span>{by === 'type' ? 'Type' : 'Resource'}</span>
        <span className="num">Findings</span>
        <span className="num">Events</span>
        <span>Last seen</span>
      </div>
      {groups.rows.map((g) => (
        <div
          key={g.key}
          className="grid-row group-cols"
          role="button"
          tabIndex={0}
          onClick={() => drillInto(g.key)}
          onKeyDown={(e) => e.key === 'Enter' && drillInto(g.key)}
        >
          <span className="cell">
            <SeverityBadge value={g.maxSeverity} />
          </span>
          <span className="cell mono" title={g.key}>
            {g.key}
            {g.resourceType ? <span className="dim"> · {g.resourceType}</span> : null}
          </span>
          <span className="cell num">{formatCount(g.findings)}</span>
          <span className="cell num">{formatCount(g.occurrences)}</span>
          <span className="cell dim">{formatTime(g.lastSeen, tz, { seconds: false })}</span>
        </div>
      ))}
      {groups.total > groups.rows.length ? (
        <div className="list-status">
          Showing the {groups.rows.length} most severe of {formatCount(groups.total)} groups.
        </div>
      ) : null}
    </div>
  );
}
