import { Fragment, useEffect, useState } from 'react';
import type { IntelImportInput, IntelListView } from '../../../../shared/api/schemas';
import { EmptyState } from '../../components/empty-state';
import { ErrorPanel } from '../../components/error-panel';
import { FormFooter } from '../../components/form-footer';
import { parseAccounts } from '../../lib/criteria';
import { formatCount, formatTime } from '../../lib/format';
import { useAppStore } from '../../store';
import { Feeds } from './feeds';

/**
 * Threat and trusted lists of the case: the ones the analyst imported (GuardDuty's formats) and
 * the feed copies a scan loaded, with their account scope, on/off and removal, and the lists
 * Loupe bundles. Every change is applied by the engine at once and followed by a detection run,
 * so the findings match the lists shown here.
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

/** What the scope picker holds: every account, or the ticked case accounts plus typed ids. */
interface ScopeDraft {
  all: boolean;
  picked: string[];
  other: string;
}

function scopeDraft(accounts: string[] | null, caseAccounts: readonly string[]): ScopeDraft {
  if (!accounts || accounts.length === 0) return { all: true, picked: [], other: '' };
  return {
    all: false,
    picked: accounts.filter((a) => caseAccounts.includes(a)),
    other: accounts.filter((a) => !caseAccounts.includes(a)).join(', '),
  };
}

/** null: every account. */
function scopeOf(draft: ScopeDraft): { accounts: string[] | null } | { error: string } {
  if (draft.all) return { accounts: null };
  const other = parseAccounts(draft.other);
  if ('error' in other) return other;
  const accounts = [...new Set([...draft.picked, ...(other.accounts ?? [])])].sort();
  if (accounts.length === 0) return { error: 'Tick at least one account, or choose "All accounts".' };
  return { accounts };
}

/** The case's accounts (with the analyst's names) as the scope picker offers them. */
function useCaseAccounts(): Array<{ id: string; name: string | null }> {
  // Selected as is: a fresh `[]` from a selector would re-render forever.
  const ids = useAppStore((s) => s.workspace.summary?.accounts);
  const entries = useAppStore((s) => s.workspace.accounts.entries);
  return (ids ?? []).map((id) => ({ id, name: entries.find((e) => e.accountId === id)?.name ?? null }));
}

function ScopePicker({
  idPrefix,
  listName,
  draft,
  onChange,
}: {
  idPrefix: string;
  listName: string;
  draft: ScopeDraft;
  onChange: (draft: ScopeDraft) => void;
}) {
  const accounts = useCaseAccounts();
  const toggle = (id: string, on: boolean) =>
    onChange({ ...draft, picked: on ? [...draft.picked, id] : draft.picked.filter((a) => a !== id) });
  return (
    <fieldset
      className="criteria-rows"
      style={{ border: 'none', margin: 0, padding: 0 }}
      data-testid="intel-scope-picker"
      aria-label={`Accounts for ${listName}`}
    >
      <label>
        <input
          type="radio"
          name={`${idPrefix}-scope`}
          checked={draft.all}
          onChange={() => onChange({ ...draft, all: true })}
        />{' '}
        All accounts
      </label>
      <label>
        <input
          type="radio"
          name={`${idPrefix}-scope`}
          checked={!draft.all}
          onChange={() => onChange({ ...draft, all: false })}
        />{' '}
        Only these accounts:
      </label>
      {!draft.all ? (
        <div className="inline-form" style={{ paddingLeft: 22 }}>
          {accounts.map((a) => (
            <label key={a.id} className="mono">
              <input
                type="checkbox"
                checked={draft.picked.includes(a.id)}
                onChange={(e) => toggle(a.id, e.target.checked)}
              />{' '}
              {a.id}
              {a.name ? <span className="dim"> {a.name}</span> : null}
            </label>
          ))}
          <label htmlFor={`${idPrefix}-other`} className="dim">
            {accounts.length > 0 ? 'other ids' : 'account ids'}
          </label>
          <input
            id={`${idPrefix}-other`}
            type="text"
            className="mono"
            aria-label={`Other accounts for ${listName}`}
            placeholder="12-digit ids, comma-separated"
            value={draft.other}
            onChange={(e) => onChange({ ...draft, other: e.target.value })}
          />
        </div>
      ) : null}
    </fieldset>
  );
}

function ImportForm({ onDone }: { onDone: () => void }) {
  const importIntel = useAppStore((s) => s.importIntel);
  const busy = useAppStore((s) => s.caseSettings.intel.busy);
  const engineError = useAppStore((s) => s.caseSettings.intel.actionError);
  const [path, setPath] = useState('');
  const [kind, setKind] = useState<'threat' | 'trusted'>('threat');
  const [format, setFormat] = useState<(typeof FORMATS)[number]['value']>('');
  const [scope, setScope] = useState<ScopeDraft>({ all: true, picked: [], other: '' });
  const [error, setError] = useState<string | null>(null);

  const submit = () => {
    const file = path.trim();
    if (!file) return setError('Type the full path of the list file.');
    const accounts = scopeOf(scope);
    if ('error' in accounts) return setError(accounts.error);
    setError(null);
    void importIntel({
      path: file,
      kind,
      ...(format ? { format } : {}),
      ...(accounts.accounts ? { accounts: accounts.accounts } : {}),
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
        <span>Accounts</span>
        <ScopePicker idPrefix="intel-import" listName="the new list" draft={scope} onChange={setScope} />
      </div>
      <p className="dim">
        A <span className="mono">{'# accounts: 111122223333, …'}</span> line at the top of a TXT file scopes it too; the
        accounts ticked here win.
      </p>
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

function ScopeEditor({ list, onDone }: { list: IntelListView; onDone: () => void }) {
  const update = useAppStore((s) => s.updateIntel);
  const busy = useAppStore((s) => s.caseSettings.intel.busy);
  const engineError = useAppStore((s) => s.caseSettings.intel.actionError);
  const caseAccounts = useCaseAccounts().map((a) => a.id);
  const [draft, setDraft] = useState(() => scopeDraft(list.accounts, caseAccounts));
  const [error, setError] = useState<string | null>(null);
  const submit = () => {
    const scope = scopeOf(draft);
    if ('error' in scope) return setError(scope.error);
    setError(null);
    void update({ id: list.id ?? '', accounts: scope.accounts }).then((ok) => ok && onDone());
  };
  return (
    <form
      className="rule-editor"
      aria-label={`Scope of ${list.name}`}
      data-testid="intel-scope-editor"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <p>
        {list.kind === 'threat'
          ? `Which accounts' activity ${list.name} raises findings for. Its findings in other accounts stop standing.`
          : `Which accounts ${list.name} exempts. Its addresses and domains still raise findings in other accounts.`}
      </p>
      <ScopePicker idPrefix={`intel-scope-${list.name}`} listName={list.name} draft={draft} onChange={setDraft} />
      <FormFooter
        localError={error}
        engineError={engineError}
        busy={busy}
        submitLabel="Apply and re-run detections"
        busyLabel="Applying…"
        onCancel={onDone}
        errorTestId="intel-scope-error"
      />
    </form>
  );
}

function ListRow({ list, readOnly }: { list: IntelListView; readOnly: boolean }) {
  const update = useAppStore((s) => s.updateIntel);
  const remove = useAppStore((s) => s.removeIntel);
  const busy = useAppStore((s) => s.caseSettings.intel.busy);
  const tz = useAppStore((s) => s.workspace.timeZone);
  const [scoping, setScoping] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const id = list.id ?? '';

  return (
    <Fragment>
      <tr data-testid="intel-row" data-list={list.name} className={list.enabled ? '' : 'dim'}>
        <td>
          <b>{list.name}</b>
          {list.origin === 'feed' ? (
            <span className="badge" title={list.url ?? ''}>
              feed
            </span>
          ) : null}
          <div className="dim mono" title={list.path ?? ''}>
            {list.sha256 ? `sha256 ${list.sha256.slice(0, 12)}…` : ''}
          </div>
          {list.origin === 'feed' && list.sourceDate ? (
            <div className="dim">fetched {formatTime(list.sourceDate, tz, { seconds: false })}</div>
          ) : null}
          {list.importedAt ? (
            <div className="dim">imported {formatTime(list.importedAt, tz, { seconds: false })}</div>
          ) : null}
          {list.problem ? (
            <div className="bad" style={{ whiteSpace: 'normal', maxWidth: 360 }} data-testid="intel-problem">
              {list.problem}
            </div>
          ) : null}
        </td>
        <td>
          <span className="tag">{list.kind}</span>
        </td>
        <td>{list.format}</td>
        <td className="num">{formatCount(list.entries)}</td>
        <td data-testid="intel-scope" title={scopeText(list.accounts)}>
          {list.accounts && list.accounts.length > 0
            ? list.accounts.map((a) => (
                <div key={a} className="mono">
                  {a}
                </div>
              ))
            : 'all accounts'}
        </td>
        <td data-testid="intel-enabled">{list.enabled ? 'on' : <span className="badge warn-badge">off</span>}</td>
        <td>
          <span className="inline-form">
            <button
              type="button"
              className="small"
              disabled={readOnly || busy || scoping}
              onClick={() => setScoping(true)}
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
      {scoping ? (
        <tr data-testid="intel-scope-row" data-list={list.name}>
          <td colSpan={7}>
            <ScopeEditor list={list} onDone={() => setScoping(false)} />
          </td>
        </tr>
      ) : null}
    </Fragment>
  );
}

export function ThreatLists() {
  const intel = useAppStore((s) => s.caseSettings.intel);
  const readOnly = useAppStore((s) => s.caseSettings.info?.readOnly ?? false);
  const tz = useAppStore((s) => s.workspace.timeZone);
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
        {intel.jobId ? (
          <p className="dim" data-testid="intel-rerun">
            Re-running detections with the lists below; the findings refresh when it ends.
          </p>
        ) : null}
        {intel.loaded && imported.length === 0 && !importing ? (
          <EmptyState title="No lists imported">
            Use <b>Import list</b> to add the IPs and domains from your investigation or a feed (TXT, STIX, OTX CSV,
            Proofpoint, AlienVault, FireEye) as a threat list, or your scanners and office addresses as a trusted list.
            Public feeds (Tor exits, C&amp;C servers) are below: download them, then use a copy in this case.
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
        <Feeds readOnly={readOnly} />
        {bundled.length > 0 ? (
          <details data-testid="intel-bundled">
            <summary>Bundled with Loupe ({bundled.length} lists, every account, read-only)</summary>
            <table className="data-table">
              <thead>
                <tr>
                  <th>List</th>
                  <th>About</th>
                  <th>Kind</th>
                  <th className="num">Entries</th>
                  <th>Compiled</th>
                </tr>
              </thead>
              <tbody>
                {bundled.map((l) => (
                  <tr key={l.name}>
                    <td className="mono">{l.name}</td>
                    <td>{l.category}</td>
                    <td>{l.kind}</td>
                    <td className="num">{formatCount(l.entries)}</td>
                    <td className="dim">
                      {l.sourceDate
                        ? /^\d{4}-\d{2}-\d{2}$/.test(l.sourceDate)
                          ? l.sourceDate
                          : formatTime(l.sourceDate, tz)
                        : '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        ) : null}
        <p className="dim">
          A trusted entry wins over a threat entry. A list scoped to some accounts only raises (or, trusted, only
          exempts) their activity.
        </p>
      </div>
    </div>
  );
}
