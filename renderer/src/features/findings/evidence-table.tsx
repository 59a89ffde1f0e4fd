import { Fragment, useState } from 'react';
import { ErrorPanel } from '../../components/error-panel';
import { JsonView } from '../../components/json-view';
import { Pager } from '../../components/pager';
import { formatTime } from '../../lib/format';
import { useAppStore } from '../../store';
import { EVIDENCE_PAGE } from '../../store/findings';

/** The events behind the finding, paged, each traced to its file and position; a click shows the raw record. */
export function EvidenceTable() {
  const evidence = useAppStore((s) => s.findings.evidence);
  const loadEvidence = useAppStore((s) => s.loadEvidence);
  const tz = useAppStore((s) => s.workspace.timeZone);
  const [open, setOpen] = useState<string | null>(null);

  return (
    <div className="section" data-testid="evidence">
      <h3>
        Evidence events
        <span className="right">
          <Pager
            offset={evidence.offset}
            count={evidence.rows.length}
            total={evidence.total}
            pageSize={EVIDENCE_PAGE}
            onPage={(o) => void loadEvidence(o)}
            busy={evidence.loading}
          />
        </span>
      </h3>
      {evidence.error ? <ErrorPanel error={evidence.error} /> : null}
      {evidence.loading && evidence.rows.length === 0 ? <div className="loading-line" /> : null}
      {!evidence.loading && !evidence.error && evidence.rows.length === 0 ? (
        <div className="section-body dim">No events are linked to this finding.</div>
      ) : null}
      {evidence.rows.length > 0 ? (
        <div style={{ overflowX: 'auto' }}>
          <table className="data fixed">
            <colgroup>
              <col style={{ width: 172 }} />
              <col style={{ width: 104 }} />
              <col />
              <col style={{ width: 150 }} />
            </colgroup>
            <thead>
              <tr>
                <th>Time</th>
                <th>Source</th>
                <th>Event</th>
                <th>File</th>
              </tr>
            </thead>
            <tbody>
              {evidence.rows.map((e) => {
                const key = `${e.source}:${e.eventUid}`;
                const expanded = open === key;
                return (
                  <Fragment key={key}>
                    <tr
                      className="clickable"
                      aria-expanded={expanded}
                      onClick={() => setOpen(expanded ? null : key)}
                      data-testid="evidence-row"
                    >
                      <td className="mono">{formatTime(e.eventTime, tz)}</td>
                      <td>
                        <span className={`source-tag ${e.source}`}>{e.source}</span>
                      </td>
                      <td className="mono" title={e.summary}>
                        {e.summary}
                      </td>
                      <td
                        className="mono dim"
                        title={e.filePath ? `${e.filePath} #${e.position ?? '?'}` : 'not in the loaded files'}
                      >
                        {e.filePath ? `${e.filePath.split(/[\\/]/).at(-1)} #${e.position ?? '?'}` : '—'}
                      </td>
                    </tr>
                    {expanded ? (
                      <tr>
                        <td colSpan={4} className="expanded-raw">
                          <div
                            className="section-body dim mono"
                            style={{ paddingBottom: 0, whiteSpace: 'normal', wordBreak: 'break-all' }}
                          >
                            {e.filePath ?? 'file unknown'} · record {e.position ?? '?'} · {e.eventUid}
                          </div>
                          <JsonView value={e.raw} label="Copy event" testId="evidence-raw" />
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
