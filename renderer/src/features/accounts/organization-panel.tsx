import { useState } from 'react';
import type { AccountEntry, AccountRole } from '../../../../shared/api/schemas';
import { ErrorPanel } from '../../components/error-panel';
import { formatCount } from '../../lib/format';
import { useAppStore } from '../../store';

const ROLE_LABELS: Record<AccountEntry['role'], string> = {
  management: 'Management',
  administrator: 'GuardDuty administrator',
  member: 'Member',
  standalone: 'Standalone',
  unknown: 'Unknown',
};

const SOURCE_LABELS: Record<AccountEntry['roleSource'], string> = {
  user: 'set by you',
  logs: 'from the logs',
  none: '',
};

function AccountName({ entry }: { entry: AccountEntry }) {
  const setInfo = useAppStore((s) => s.setAccountInfo);
  const [name, setName] = useState(entry.name ?? '');
  const save = () => {
    if (name.trim() !== (entry.name ?? '')) void setInfo(entry.accountId, { name: name.trim() || null });
  };
  return (
    <input
      type="text"
      aria-label={`Name of account ${entry.accountId}`}
      placeholder="name"
      maxLength={200}
      style={{ width: 150 }}
      value={name}
      onChange={(e) => setName(e.target.value)}
      onBlur={save}
      onKeyDown={(e) => {
        if (e.key === 'Enter') save();
      }}
    />
  );
}

/**
 * The organisation as the logs tell it (Organizations and GuardDuty calls, org-trail folders) or
 * as the analyst sets it: which account manages, which is the GuardDuty administrator, which
 * are members, each with the events that say so. The analyst's role wins over the logs.
 */
export function OrganizationPanel() {
  const entries = useAppStore((s) => s.workspace.accounts.entries);
  const org = useAppStore((s) => s.workspace.accounts.organization);
  const edit = useAppStore((s) => s.caseSettings.accountEdit);
  const readOnly = useAppStore((s) => s.caseSettings.info?.readOnly ?? false);
  const setInfo = useAppStore((s) => s.setAccountInfo);
  if (!org) return null;
  const named = (id: string | null) => {
    if (!id) return <span className="dim">not known</span>;
    const name = entries.find((e) => e.accountId === id)?.name;
    return (
      <span>
        <span className="mono">{id}</span>
        {name ? <span className="dim"> ({name})</span> : null}
      </span>
    );
  };
  const source =
    org.source === 'none'
      ? 'Nothing in the logs names an organisation; set the roles below if you know them.'
      : org.source === 'user'
        ? 'As set in this case.'
        : org.source === 'logs'
          ? 'Inferred from the logs (see the evidence).'
          : 'From the logs, with your changes.';

  return (
    <div className="section org-panel" data-testid="organization">
      <h3>
        Organisation
        {org.id ? <span className="mono">{org.id}</span> : null}
        <span className="right dim">{source}</span>
      </h3>
      <div className="section-body">
        <div className="org-roles">
          <div className="role">
            <span className="dim">Management account</span>
            <span data-testid="org-management">{named(org.managementAccountId)}</span>
          </div>
          <div className="role">
            <span className="dim">GuardDuty administrator</span>
            <span data-testid="org-administrator">{named(org.administratorAccountId)}</span>
          </div>
          <div className="role">
            <span className="dim">Members ({org.memberAccountIds.length})</span>
            <span data-testid="org-members" className="mono">
              {org.memberAccountIds.length ? org.memberAccountIds.join(', ') : <span className="dim">none known</span>}
            </span>
          </div>
        </div>
        {edit.error ? <ErrorPanel error={edit.error} /> : null}
        <table className="data-table" data-testid="org-accounts" style={{ marginTop: 10 }}>
          <thead>
            <tr>
              <th>Account</th>
              <th>Name</th>
              <th>Role</th>
              <th>Set role</th>
              <th className="num">Findings</th>
              <th className="num">Events</th>
              <th>Why</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.accountId} data-account-id={e.accountId}>
                <td className="mono">
                  {e.accountId}
                  {e.inLogs ? null : (
                    <span className="badge" title="Only named by other accounts' events">
                      no logs
                    </span>
                  )}
                </td>
                <td>{readOnly ? (e.name ?? '') : <AccountName key={e.name ?? ''} entry={e} />}</td>
                <td>
                  <span className={`role-tag ${e.role}`} data-testid="account-role">
                    {ROLE_LABELS[e.role]}
                  </span>{' '}
                  <span className="dim">{SOURCE_LABELS[e.roleSource]}</span>
                </td>
                <td>
                  <select
                    aria-label={`Role of account ${e.accountId}`}
                    disabled={readOnly || edit.busy === e.accountId}
                    value={e.roleSource === 'user' ? e.role : ''}
                    onChange={(ev) =>
                      void setInfo(e.accountId, { role: ev.target.value ? (ev.target.value as AccountRole) : null })
                    }
                  >
                    <option value="">{e.roleSource === 'logs' ? 'as the logs say' : 'not set'}</option>
                    <option value="management">Management</option>
                    <option value="administrator">GuardDuty administrator</option>
                    <option value="member">Member</option>
                    <option value="standalone">Standalone</option>
                  </select>
                </td>
                <td className="num">{formatCount(e.totals.findings)}</td>
                <td className="num">{formatCount(e.totals.events)}</td>
                <td className="wrap dim">
                  {e.evidence.length ? (
                    <details>
                      <summary>
                        {e.evidence.length} event{e.evidence.length === 1 ? '' : 's'}
                      </summary>
                      <ul className="criteria-list">
                        {e.evidence.map((line) => (
                          <li key={line}>{line}</li>
                        ))}
                      </ul>
                    </details>
                  ) : e.roleSource === 'user' ? (
                    'your setting'
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
