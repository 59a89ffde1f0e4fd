import { useEffect, useState } from 'react';
import { ErrorPanel } from '../../components/error-panel';
import { formatBytes, formatCount, formatTime } from '../../lib/format';
import { useAppStore } from '../../store';
import { DetectionSettings } from '../case-settings/detection-settings';
import { SaveCase } from '../case-settings/save-case';
import { SuppressionRules } from '../case-settings/suppression-rules';
import { ThreatLists } from '../case-settings/threat-lists';

function CaseNotes() {
  const notes = useAppStore((s) => s.caseActions.notes);
  const load = useAppStore((s) => s.loadNotes);
  const save = useAppStore((s) => s.saveNotes);
  const [text, setText] = useState('');
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (notes.loaded) setText(notes.text);
  }, [notes.loaded, notes.text]);
  return (
    <div className="section">
      <h3>Analyst notes</h3>
      {notes.error ? <ErrorPanel error={notes.error} /> : null}
      <textarea
        aria-label="Analyst notes"
        rows={8}
        value={text}
        disabled={!notes.loaded}
        onChange={(e) => setText(e.target.value)}
        data-testid="case-notes"
      />
      <button type="button" className="small" disabled={notes.saving || !notes.loaded} onClick={() => void save(text)}>
        Save notes
      </button>
    </div>
  );
}

function Custody() {
  const custody = useAppStore((s) => s.caseActions.custody);
  const load = useAppStore((s) => s.loadCustody);
  const verify = useAppStore((s) => s.verifyCustody);
  const tz = useAppStore((s) => s.workspace.timeZone);
  useEffect(() => {
    void load();
  }, [load]);
  const v = custody.verification;
  return (
    <div className="section" data-testid="custody">
      <h3>
        Chain of custody
        <span className="right">
          <button type="button" className="small" disabled={custody.verifying !== null} onClick={() => void verify()}>
            {custody.verifying ? 'Verifying…' : 'Verify'}
          </button>
        </span>
      </h3>
      {custody.error ? <ErrorPanel error={custody.error} action={{ label: 'Retry', run: () => void load() }} /> : null}
      {v ? (
        <p className={v.ok ? 'dim' : 'bad'} data-testid="custody-verification">
          Verified {formatTime(v.verifiedAt, tz)}: {v.counts.match} match, {v.counts.mismatch} mismatch,{' '}
          {v.counts.missing} missing, {v.counts.unverifiable} unverifiable
        </p>
      ) : null}
      <table className="data-table">
        <thead>
          <tr>
            <th>File</th>
            <th>SHA-256</th>
            <th>Size</th>
            <th>Records</th>
            <th>Loaded</th>
            <th>Verified</th>
          </tr>
        </thead>
        <tbody>
          {custody.rows.map((r) => (
            <tr key={r.fileId}>
              <td className="mono" title={r.localPath ?? r.path}>
                {r.path}
              </td>
              <td className="mono" title={r.sha256 ?? ''}>
                {r.sha256 ? `${r.sha256.slice(0, 12)}…` : '—'}
              </td>
              <td>{formatBytes(r.size)}</td>
              <td>{formatCount(r.records)}</td>
              <td>{formatTime(r.loadedAt, tz)}</td>
              <td title={r.verified?.reason ?? ''}>{r.verified?.status ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {custody.total > custody.rows.length ? (
        <p className="dim">
          Showing {formatCount(custody.rows.length)} of {formatCount(custody.total)} files.
        </p>
      ) : null}
    </div>
  );
}

/**
 * The case itself: where it is saved (Save / Save As), detection settings, suppression rules,
 * the analyst's notes and the chain of custody of every loaded file.
 */
export function CasePanel({ onClose }: { onClose: () => void }) {
  return (
    <aside className="case-panel scroll" aria-label="Case" data-testid="case-panel">
      <div className="type-line">
        <h2>Case</h2>
        <span className="detail-actions">
          <button type="button" className="ghost small" aria-label="Close case panel" onClick={onClose}>
            ×
          </button>
        </span>
      </div>
      <SaveCase />
      <DetectionSettings />
      <SuppressionRules />
      <ThreatLists />
      <CaseNotes />
      <Custody />
    </aside>
  );
}
