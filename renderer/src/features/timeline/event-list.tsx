import { Fragment, useState } from 'react';
import { ErrorPanel } from '../../components/error-panel';
import { JsonView } from '../../components/json-view';
import { Pager } from '../../components/pager';
import { formatTime } from '../../lib/format';
import { useAppStore } from '../../store';
import { EVENTS_PAGE } from '../../store/timeline';

/** The events in the current range and scope, a page at a time, oldest first. */
export function EventList() {
  const events = useAppStore((s) => s.timeline.events);
  const loadEvents = useAppStore((s) => s.loadEvents);
  const tz = useAppStore((s) => s.workspace.timeZone);
  const [open, setOpen] = useState<string | null>(null);
  return (
    <div className="pane" style={{ flex: 1, borderTop: '1px solid var(--border)' }}>
      <div className="toolbar">
        <b>Events</b>
        <span className="dim">in the range and filters above</span>
        <span style={{ marginLeft: 'auto' }}>
          <Pager
            offset={events.offset}
            count={events.rows.length}
            total={events.total}
            pageSize={EVENTS_PAGE}
            busy={events.loading}
            onPage={(o) => void loadEvents(o)}
          />
        </span>
      </div>
      {events.error ? <ErrorPanel error={events.error} /> : null}
      <div className="scroll">
        <table className="data" data-testid="timeline-events">
          <thead>
            <tr>
              <th>Time</th>
              <th>Source</th>
              <th>Account</th>
              <th>Region</th>
              <th>Actor</th>
              <th>Event</th>
            </tr>
          </thead>
          <tbody>
            {events.rows.map((e) => {
              const key = `${e.source}:${e.eventUid}`;
              const expanded = open === key;
              return (
                <Fragment key={key}>
                  <tr className="clickable" aria-expanded={expanded} onClick={() => setOpen(expanded ? null : key)}>
                    <td className="mono">{formatTime(e.eventTime, tz)}</td>
                    <td>
                      <span className={`source-tag ${e.source}`}>{e.source}</span>
                    </td>
                    <td className="mono dim">{e.accountId ?? '—'}</td>
                    <td className="dim">{e.region ?? '—'}</td>
                    <td className="mono" title={e.actor ?? ''} style={{ maxWidth: 300 }}>
                      {e.actor ?? '—'}
                    </td>
                    <td className="mono" title={e.summary}>
                      {e.summary}
                    </td>
                  </tr>
                  {expanded ? (
                    <tr>
                      <td colSpan={6} className="expanded-raw">
                        <JsonView value={e.raw} label="Copy event" />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
          </tbody>
        </table>
        {!events.loading && events.rows.length === 0 && !events.error ? (
          <div className="empty">No events in this range. Zoom out or remove a filter.</div>
        ) : null}
      </div>
    </div>
  );
}
