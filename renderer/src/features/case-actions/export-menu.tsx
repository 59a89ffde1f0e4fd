import { useState } from 'react';
import { EXPORT_FORMATS, type ExportFormat } from '../../../../shared/api/schemas';
import { useAppStore } from '../../store';

const LABELS: Record<ExportFormat, string> = {
  'guardduty-json': 'GuardDuty JSON (array)',
  'guardduty-jsonl': 'GuardDuty JSON Lines',
  'guardduty-s3': 'GuardDuty S3 export layout (folder)',
  eventbridge: 'EventBridge events',
  asff: 'Security Hub ASFF',
  ocsf: 'OCSF',
  csv: 'CSV',
  timesketch: 'Timesketch JSONL',
  html: 'HTML report',
  playbook: 'Playbook (bash script)',
};

/**
 * Export the case's findings. The output path is typed: web mode has no native file dialog,
 * and the engine checks the path (and refuses to overwrite) itself.
 */
export function ExportMenu() {
  const runExport = useAppStore((s) => s.runExport);
  const [open, setOpen] = useState(false);
  const [format, setFormat] = useState<ExportFormat>('guardduty-json');
  const [outPath, setOutPath] = useState('');
  const [includeArchived, setIncludeArchived] = useState(false);
  return (
    <span className="menu-anchor">
      <button type="button" className="small" aria-expanded={open} onClick={() => setOpen(!open)}>
        Export
      </button>
      {open ? (
        <form
          className="popover"
          aria-label="Export findings"
          data-testid="export-menu"
          onSubmit={(e) => {
            e.preventDefault();
            if (!outPath.trim()) return;
            void runExport(format, outPath.trim(), includeArchived);
            setOpen(false);
          }}
        >
          <label>
            Format{' '}
            <select value={format} onChange={(e) => setFormat(e.target.value as ExportFormat)}>
              {EXPORT_FORMATS.map((f) => (
                <option key={f} value={f}>
                  {LABELS[f]}
                </option>
              ))}
            </select>
          </label>
          <label>
            {format === 'guardduty-s3' ? 'Output folder' : 'Output file'}{' '}
            <input
              type="text"
              className="mono"
              value={outPath}
              placeholder="/path/to/output"
              onChange={(e) => setOutPath(e.target.value)}
            />
          </label>
          <label>
            <input type="checkbox" checked={includeArchived} onChange={(e) => setIncludeArchived(e.target.checked)} />{' '}
            Include archived findings
          </label>
          <button type="submit" className="small" disabled={!outPath.trim()}>
            Run export
          </button>
        </form>
      ) : null}
    </span>
  );
}
