import { useEffect, useState } from 'react';
import type { IntelImportInput, IntelListView } from '../../../../shared/api/schemas';
import { EmptyState } from '../../components/empty-state';
import { ErrorPanel } from '../../components/error-panel';
import { FormFooter } from '../../components/form-footer';
import { parseAccounts } from '../../lib/criteria';
import { formatCount, formatTime } from '../../lib/format';
import { useAppStore } from '../../store';

/**
 * Threat and trusted lists of the case: the ones the analyst imported (GuardDuty's formats),
 * with their account scope, on/off and removal, and the lists Loupe bundles. Every change is
 * applied by the engine at once and followed by a detection run, so the findings match the
 * lists shown here.
 */
const FORMATS: Array<{ value: '' | NonNullable<IntelImportInput['format']>; label: string }> = [
  { value: '', label: 'Work it out from the content' },
  { value: 'TXT', label: 'Plain text (IPs, CIDRs, domains)' },
  { value: 'STIX', label: 'STIX 1.x XML' },
  { value: 'STIX2', label: 'STIX 2.1 JSON bundle' },
  { value: 'OTX_CSV', label: 'OTX CSV' },
  { value: 'ALIEN_VAULT', label: 'AlienVault reputation' },
  { value: 'PROOF_POINT', label: 'Proofpoint ET' },
  { value: 'FIRE_EYE', label: 'FireEye iSIGHT' },
];

function scopeText(accounts: string[] | null): string {
  return accounts && accounts.length > 0 ? accounts.join(', ') : 'all accounts';
}

function ImportForm({ onDone }: { onDone: () => void }) {
  const importIntel = useAppStore((s) => s.importIntel);
  const busy = useAppStore((s) => s.caseSettings.intel.busy);
  const engineError = useAppStore((s) => s.caseSettings.intel.actionError);
  // Selected as is: a fresh `[]` from the selector would re-render forever.
  const caseAccounts = useAppStore((s) => s.workspace.summary?.accounts) ?? [];
  const [path, setPath] = useState('');
  const [kind, setKind] = useState<'threat' | 'trusted'>('threat');
  const [format, setFormat] = useState<(typeof FORMATS)[number]['value']>('');
  const [accounts, setAccounts] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = () => {
    const file = path.trim();
    if (!file) return setError('Type the full path of the list file.');
    const scope = parseAccounts(accounts);
    if ('error' in scope) return setError(scope.error);
    setError(null);
    void importIntel({
      path: file,
      kind,
      ...(format ? { format } : {}),
      ...(scope.accounts ? { accounts: scope.accounts } : {}),
    }).then((ok) => ok && onDone());
  };

  return (
    <form
      className="rule-editor"
      aria-label="Import a list"
      data-testid="intel-import"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <div className="form-grid">
        <label htmlFor="intel-path">List file</label>
        <input
          id="intel-path"
          type="text"
          className="mono"
          placeholder="/home/me/intel/attackers.txt"
          value={path}
          onChange={(e) => setPath(e.target.value)}
        />
        <label htmlFor="intel-kind">Kind</label>
        <select id="intel-kind" value={kind} onChange={(e) => setKind(e.target.value as 'threat' | 'trusted')}>
          <option value="threat">Threat list: matches raise findings</option>
          <option value="trusted">Trusted list: matches never raise findings</option>
        </select>
        <label htmlFor="intel-format">Format</label>
        <select
          id="intel-format"
          value={format}
          onChange={(e) => setFormat(e.target.value as (typeof FORMATS)[number]['value'])}
        >
          {FORMATS.map((f) => (
            <option key={f.value} value={f.value}>
              {f.label}
            </option>
          ))}
        </select>
        <label htmlFor="intel-accounts">Accounts</label>
        <input
          id="intel-accounts"
          type="text"
          className="mono"
          placeholder="all accounts (or 12-digit ids, comma-separated)"
          value={accounts}
          onChange={(e) => setAccounts(e.target.value)}
        />
      </div>
      {caseAccounts.length > 0 ? <p className="dim">Accounts in this case: {caseAccounts.join(', ')}</p> : null}
      <FormFooter
        localError={error}
        engineError={engineError}
        busy={busy}
        submitLabel="Import and re-run detections"
        busyLabel="Importing…"
        onCancel={onDone}
        errorTestId="intel-error"
      />
    </form>
  );
}

function ListRow({ list, readOnly }: { list: IntelListView; readOnly: boolean }) {
  const update = useAppStore((s) => s.updateIntel);
  const remove = useAppStore((s) => s.removeIntel);
  const busy = useAppStore((s) => s.caseSettings.intel.busy);
  const tz = useAppStore((s) => s.workspace.timeZone);
  const [scoping, setScoping] = useState<string | null>(null);
  const [scopeError, setScopeError] = useState<string | null>(null);
  const [confirm, setConfirm] = useState(false);
  const id = list.id ?? '';

  const saveScope = () => {
    const scope = parseAccounts(scoping ?? '');
    if ('error' in scope) return setScopeError(scope.error);
    setScopeError(null);
    void update({ id, accounts: scope.accounts ?? null }).then((ok) => ok && setScoping(null));
  };

  return (
    <tr data-testid="intel-row" data-list={list.name} className={list.enabled ? '' : 'dim'}>
      <td>
        <b>{list.name}</b>
        <div className="dim mono" title={list.path ?? ''}>
          {list.sha256 ? `sha256 ${list.sha256.slice(0, 12)}…` : ''}
        </div>
        {list.importedAt ? (
          <div className="dim">imported {formatTime(list.importedAt, tz, { seconds: false })}</div>
        ) : null}
      </td>
      <td>{list.kind}</td>
      <td>{list.format}</td>
      <td className="num">{formatCount(list.entries)}</td>
      <td>
        {scoping === null ? (
          <span data-testid="intel-scope">{scopeText(list.accounts)}</span>
        ) : (
          <span className="inline-form">
            <input
              type="text"
              className="mono"
              aria-label={`Accounts for ${list.name}`}
              placeholder="all accounts"
              value={scoping}
              onChange={(e) => setScoping(e.target.value)}
            />
            <button type="button" className="small primary" disabled={busy} onClick={saveScope}>
              Apply
            </button>
            <button type="button" className="small" onClick={() => setScoping(null)}>
              Cancel
            </button>
          </span>
        )}
        {scopeError ? (
          <div className="bad" role="alert">
            {scopeError}
          </div>
        ) : null}
      </td>
      <td>{list.enabled ? 'on' : 'off'}</td>
      <td>
        <span className="inline-form">
          <button
            type="button"
            className="small"
            disabled={readOnly || busy || scoping !== null}
            onClick={() => setScoping((list.accounts ?? []).join(', '))}
          >
            Scope…
          </button>
          <button
            type="button"
            className="small"
            disabled={readOnly || busy}
            onClick={() => void update({ id, enabled: !list.enabled })}
          >
            {list.enabled ? 'Switch off' : 'Switch on'}
          </button>
          {confirm ? (
            <>
              <button
                type="button"
                className="small danger"
                disabled={busy}
                onClick={() => void remove(id).then(() => setConfirm(false))}
              >
                Remove {list.name}
              </button>
              <button type="button" className="small" onClick={() => setConfirm(false)}>
                Keep
              </button>
            </>
          ) : (
            <button type="button" className="small" disabled={readOnly || busy} onClick={() => setConfirm(true)}>
              Remove…
            </button>
          )}
        </span>
      </td>
    </tr>
  );
}

export function ThreatLists() {
  const intel = useAppStore((s) => s.caseSettings.intel);
  const readOnly = useAppStore((s) => s.caseSettings.info?.readOnly ?? false);
  const load = useAppStore((s) => s.loadIntel);
  const [importing, setImporting] = useState(false);

  useEffect(() => {
    void load();
  }, [load]);

  const imported = intel.lists.filter((l) => !l.bundled);
  const bundled = intel.lists.filter((l) => l.bundled);
  return (
    <div className="section" data-testid="threat-lists">
      <h3>
        Threat intelligence
        <span className="right">
          <button type="button" className="small" disabled={readOnly || importing} onClick={() => setImporting(true)}>
            Import list
          </button>
        </span>
      </h3>
      <div className="section-body">
        {intel.error ? <ErrorPanel error={intel.error} action={{ label: 'Retry', run: () => void load() }} /> : null}
        {importing ? <ImportForm onDone={() => setImporting(false)} /> : null}
        {intel.actionError && !importing ? <ErrorPanel error={intel.actionError} /> : null}
        {intel.jobId ? <p className="dim">Re-running detections with the lists below…</p> : null}
        {intel.loaded && imported.length === 0 && !importing ? (
          <EmptyState title="No lists imported">
            Import the IPs and domains from your own investigation or a feed (TXT, STIX, OTX CSV, Proofpoint,
            AlienVault, FireEye) as a threat list, or your scanners and office addresses as a trusted list.
          </EmptyState>
        ) : null}
        {imported.length > 0 ? (
          <table className="data-table rules-table" data-testid="intel-table">
            <thead>
              <tr>
                <th>List</th>
                <th>Kind</th>
                <th>Format</th>
                <th className="num">Entries</th>
                <th>Accounts</th>
                <th>Matching</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {imported.map((l) => (
                <ListRow key={l.id ?? l.name} list={l} readOnly={readOnly} />
              ))}
            </tbody>
          </table>
        ) : null}
        {bundled.length > 0 ? (
          <details data-testid="intel-bundled">
            <summary>Bundled with Loupe ({bundled.length} lists, every account)</summary>
            <table className="data-table">
              <thead>
                <tr>
                  <th>List</th>
                  <th>About</th>
                  <th>Kind</th>
                  <th className="num">Entries</th>
                </tr>
              </thead>
              <tbody>
                {bundled.map((l) => (
                  <tr key={l.name}>
                    <td className="mono">{l.name}</td>
                    <td>{l.category}</td>
                    <td>{l.kind}</td>
                    <td className="num">{formatCount(l.entries)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        ) : null}
        <p className="dim">
          A trusted entry wins over a threat entry. A list scoped to some accounts only matches their activity.
        </p>
      </div>
    </div>
  );
}
