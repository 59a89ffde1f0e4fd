import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { SeverityLabel } from '../../../../shared/findings/catalog';
import { EmptyState } from '../../components/empty-state';
import { ErrorPanel } from '../../components/error-panel';
import { formatCount, formatTime } from '../../lib/format';
import { SEVERITY_ORDER, severityClass } from '../../lib/severity';
import { useAppStore } from '../../store';
import { OrganizationPanel } from './organization-panel';
import { ProblemFiles } from './problem-files';

/**
 * The organisation (roles from the logs or set by the analyst), findings by severity per account
 * and region with the events behind each pair, and the files that did not load.
 */
export function AccountsView() {
  const accounts = useAppStore((s) => s.workspace.accounts);
  const tz = useAppStore((s) => s.workspace.timeZone);
  const selected = useAppStore(useShallow((s) => s.workspace.scope.accounts ?? []));
  const { loadAccounts, setAccountFilter, setFilter, setView } = useAppStore(
    useShallow((s) => ({
      loadAccounts: s.loadAccounts,
      setAccountFilter: s.setAccountFilter,
      setFilter: s.setFilter,
      setView: s.setView,
    })),
  );

  useEffect(() => {
    void loadAccounts();
  }, [loadAccounts]);

  const openFindings = (accountId: string, region: string, severity?: SeverityLabel) => {
    setAccountFilter([accountId]);
    setFilter({ regions: [region], severities: severity ? [severity] : undefined });
    setView('findings');
  };

  const rows = accounts.rows ?? [];
  const byAccount = new Map<string, number>();
  for (const r of rows) byAccount.set(r.accountId, (byAccount.get(r.accountId) ?? 0) + r.findings);

  return (
    <div className="view">
      <div className="toolbar">
        <b>Accounts</b>
        <span className="dim">
          {byAccount.size} accounts · {rows.length} account/region pairs
        </span>
        <select
          aria-label="Archived"
          value={accounts.archived}
          onChange={(e) => void loadAccounts(e.target.value as 'exclude' | 'include' | 'only')}
        >
          <option value="exclude">Current findings</option>
          <option value="include">Current + archived</option>
          <option value="only">Archived only</option>
        </select>
        {selected.length ? (
          <button type="button" className="small" onClick={() => setAccountFilter([])}>
            Show all accounts
          </button>
        ) : null}
      </div>
      {accounts.error ? (
        <ErrorPanel error={accounts.error} action={{ label: 'Retry', run: () => void loadAccounts() }} />
      ) : null}
      <div className="scroll">
        <OrganizationPanel />
        {rows.length === 0 && !accounts.loading ? (
          <EmptyState title="No accounts">No events or findings carry an account id.</EmptyState>
        ) : (
          <table className="data" data-testid="accounts-table">
            <thead>
              <tr>
                <th>Account</th>
                <th>Region</th>
                {SEVERITY_ORDER.map((l) => (
                  <th key={l} className="num">
                    {l}
                  </th>
                ))}
                <th className="num">Findings</th>
                <th className="num">Events</th>
                <th>Last finding</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r.accountId}/${r.region}`} aria-selected={selected.includes(r.accountId)}>
                  <td className="mono">{r.accountId}</td>
                  <td>{r.region}</td>
                  {SEVERITY_ORDER.map((l) => (
                    <td key={l} className="num">
                      {r[l] > 0 ? (
                        <button
                          type="button"
                          className={`link sev ${severityClass(l)}`}
                          onClick={() => openFindings(r.accountId, r.region, l)}
                        >
                          <span className="sev-num">{formatCount(r[l])}</span>
                        </button>
                      ) : (
                        <span className="dim">·</span>
                      )}
                    </td>
                  ))}
                  <td className="num">{formatCount(r.findings)}</td>
                  <td className="num">{formatCount(r.events)}</td>
                  <td className="dim">{formatTime(r.lastSeen, tz, { seconds: false })}</td>
                  <td>
                    <button
                      type="button"
                      className="small"
                      onClick={() => setAccountFilter(selected.includes(r.accountId) ? [] : [r.accountId])}
                    >
                      {selected.includes(r.accountId) ? 'Clear filter' : 'Filter to account'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <ProblemFiles />
      </div>
    </div>
  );
}
