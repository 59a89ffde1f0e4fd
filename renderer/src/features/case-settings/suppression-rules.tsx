import { useEffect, useState } from 'react';
import type { SuppressionRule } from '../../../../shared/api/schemas';
import { EmptyState } from '../../components/empty-state';
import { ErrorPanel } from '../../components/error-panel';
import { FormFooter } from '../../components/form-footer';
import {
  COMMON_ATTRIBUTES,
  EDITOR_OPS,
  criterionToRows,
  describeCriterion,
  parseAccounts,
  rowsToCriterion,
  type CriterionRow,
  type EditorOp,
} from '../../lib/criteria';
import { formatCount } from '../../lib/format';
import { useAppStore } from '../../store';

/**
 * Suppression rules: saved GuardDuty filters whose matches are archived after every detection
 * run. The list says in words what each rule matches and how many findings it archives now;
 * rules are created here from scratch or edited (the finding detail's "Suppress findings like
 * this" creates one pre-filled).
 */
interface Draft {
  id?: string;
  name: string;
  description: string;
  enabled: boolean;
  rank: string;
  accounts: string;
  rows: CriterionRow[];
}

const emptyRow = (): CriterionRow => ({ attribute: 'type', op: 'eq', values: '' });

function draftOf(rule: SuppressionRule | null): Draft {
  if (!rule) return { name: '', description: '', enabled: true, rank: '', accounts: '', rows: [emptyRow()] };
  return {
    id: rule.id,
    name: rule.name,
    description: rule.description,
    enabled: rule.enabled,
    rank: rule.rank === undefined ? '' : String(rule.rank),
    accounts: (rule.accounts ?? []).join(', '),
    rows: criterionToRows(rule.criterion),
  };
}

function RuleEditor({ initial, onDone }: { initial: SuppressionRule | null; onDone: () => void }) {
  const save = useAppStore((s) => s.saveSuppression);
  const saving = useAppStore((s) => s.caseSettings.suppression.saving);
  const engineError = useAppStore((s) => s.caseSettings.suppression.saveError);
  const [draft, setDraft] = useState<Draft>(() => draftOf(initial));
  const [error, setError] = useState<string | null>(null);
  const setRow = (i: number, update: Partial<CriterionRow>) =>
    setDraft((d) => ({ ...d, rows: d.rows.map((r, j) => (j === i ? { ...r, ...update } : r)) }));

  const submit = () => {
    const name = draft.name.trim();
    if (!name) return setError('Give the rule a name.');
    if (name.length > 64) return setError('The name is at most 64 characters.');
    const criterion = rowsToCriterion(draft.rows);
    if ('error' in criterion) return setError(criterion.error);
    const accounts = parseAccounts(draft.accounts);
    if ('error' in accounts) return setError(accounts.error);
    const rank = draft.rank.trim() === '' ? undefined : Number(draft.rank);
    if (rank !== undefined && (!Number.isInteger(rank) || rank < 1 || rank > 100))
      return setError('The rank is a whole number from 1 (applied first) to 100.');
    setError(null);
    void save({
      ...(draft.id ? { id: draft.id } : {}),
      name,
      description: draft.description.trim(),
      enabled: draft.enabled,
      ...(rank !== undefined ? { rank } : {}),
      ...(accounts.accounts ? { accounts: accounts.accounts } : {}),
      criterion: criterion.criterion,
    }).then((ok) => ok && onDone());
  };

  return (
    <form
      className="rule-editor"
      aria-label={initial ? `Edit rule ${initial.name}` : 'New suppression rule'}
      data-testid="rule-editor"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <div className="form-grid">
        <label htmlFor="rule-name">Name</label>
        <input
          id="rule-name"
          type="text"
          maxLength={64}
          value={draft.name}
          onChange={(e) => setDraft({ ...draft, name: e.target.value })}
        />
        <label htmlFor="rule-description">Description</label>
        <input
          id="rule-description"
          type="text"
          maxLength={512}
          placeholder="Why these findings are expected"
          value={draft.description}
          onChange={(e) => setDraft({ ...draft, description: e.target.value })}
        />
        <label htmlFor="rule-accounts">Accounts</label>
        <input
          id="rule-accounts"
          type="text"
          className="mono"
          placeholder="all accounts (or 12-digit ids, comma-separated)"
          value={draft.accounts}
          onChange={(e) => setDraft({ ...draft, accounts: e.target.value })}
        />
        <label htmlFor="rule-rank">Rank</label>
        <span className="inline-form">
          <input
            id="rule-rank"
            type="text"
            style={{ width: 60 }}
            placeholder="—"
            value={draft.rank}
            onChange={(e) => setDraft({ ...draft, rank: e.target.value })}
          />
          <label>
            <input
              type="checkbox"
              checked={draft.enabled}
              onChange={(e) => setDraft({ ...draft, enabled: e.target.checked })}
            />{' '}
            Enabled
          </label>
        </span>
      </div>
      <div className="criteria-rows">
        <div className="dim">Archive findings where every condition holds:</div>
        {draft.rows.map((row, i) => (
          <div className="criteria-row" key={i} data-testid="criteria-row">
            <input
              type="text"
              className="mono"
              list="criteria-attributes"
              aria-label={`Condition ${i + 1} attribute`}
              value={row.attribute}
              onChange={(e) => setRow(i, { attribute: e.target.value })}
            />
            <select
              aria-label={`Condition ${i + 1} operator`}
              value={row.op}
              onChange={(e) => setRow(i, { op: e.target.value as EditorOp })}
            >
              {EDITOR_OPS.map((o) => (
                <option key={o.op} value={o.op}>
                  {o.label}
                </option>
              ))}
            </select>
            <input
              type="text"
              className="mono"
              aria-label={`Condition ${i + 1} values`}
              placeholder={['gt', 'gte', 'lt', 'lte'].includes(row.op) ? 'a number' : 'values, comma-separated'}
              value={row.values}
              onChange={(e) => setRow(i, { values: e.target.value })}
            />
            <button
              type="button"
              className="ghost small"
              aria-label={`Remove condition ${i + 1}`}
              disabled={draft.rows.length === 1}
              onClick={() => setDraft({ ...draft, rows: draft.rows.filter((_, j) => j !== i) })}
            >
              ×
            </button>
          </div>
        ))}
        <datalist id="criteria-attributes">
          {COMMON_ATTRIBUTES.map((a) => (
            <option key={a.attribute} value={a.attribute}>
              {a.label}
            </option>
          ))}
        </datalist>
        <button
          type="button"
          className="small"
          disabled={draft.rows.length >= 50}
          onClick={() => setDraft({ ...draft, rows: [...draft.rows, emptyRow()] })}
        >
          Add condition
        </button>
      </div>
      <FormFooter
        localError={error}
        engineError={engineError}
        busy={saving}
        submitLabel="Save rule"
        busyLabel="Saving…"
        onCancel={onDone}
        errorTestId="rule-error"
      />
    </form>
  );
}

export function SuppressionRules() {
  const sup = useAppStore((s) => s.caseSettings.suppression);
  const readOnly = useAppStore((s) => s.caseSettings.info?.readOnly ?? false);
  const load = useAppStore((s) => s.loadSuppression);
  const remove = useAppStore((s) => s.deleteSuppression);
  const [editing, setEditing] = useState<SuppressionRule | 'new' | null>(null);
  const [confirm, setConfirm] = useState<string | null>(null);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <div className="section" data-testid="suppression-rules">
      <h3>
        Suppression rules
        <span className="right">
          <button
            type="button"
            className="small"
            disabled={readOnly || editing !== null}
            onClick={() => setEditing('new')}
          >
            New rule
          </button>
        </span>
      </h3>
      <div className="section-body">
        {sup.error ? <ErrorPanel error={sup.error} action={{ label: 'Retry', run: () => void load() }} /> : null}
        {editing === 'new' ? <RuleEditor initial={null} onDone={() => setEditing(null)} /> : null}
        {sup.loaded && sup.rules.length === 0 && editing === null ? (
          <EmptyState title="No suppression rules">
            Findings you expect (a scanner, a known admin host) can be archived automatically: use “Suppress findings
            like this” on a finding, or New rule.
          </EmptyState>
        ) : null}
        {sup.rules.length > 0 ? (
          <table className="data-table rules-table" data-testid="rules-table">
            <thead>
              <tr>
                <th>Rule</th>
                <th>Matches findings where</th>
                <th>Accounts</th>
                <th className="num">Archives</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {sup.rules.map((rule) =>
                editing !== 'new' && editing?.id === rule.id ? (
                  <tr key={rule.id}>
                    <td colSpan={5}>
                      <RuleEditor initial={rule} onDone={() => setEditing(null)} />
                    </td>
                  </tr>
                ) : (
                  <tr key={rule.id} data-testid="rule-row" data-rule-id={rule.id} className={rule.enabled ? '' : 'dim'}>
                    <td className="wrap">
                      <b>{rule.name}</b>
                      {rule.enabled ? null : <span className="badge">disabled</span>}
                      {rule.rank !== undefined ? <span className="badge">rank {rule.rank}</span> : null}
                      {rule.description ? <div className="dim">{rule.description}</div> : null}
                    </td>
                    <td className="wrap">
                      <ul className="criteria-list">
                        {describeCriterion(rule.criterion).map((line) => (
                          <li key={line}>{line}</li>
                        ))}
                      </ul>
                    </td>
                    <td className="mono wrap">{rule.accounts?.length ? rule.accounts.join(', ') : 'all'}</td>
                    <td className="num" data-testid="rule-archives">
                      {formatCount(sup.archivedBy[rule.id] ?? 0)}
                    </td>
                    <td>
                      {confirm === rule.id ? (
                        <span className="inline-form">
                          <button
                            type="button"
                            className="small danger"
                            onClick={() => {
                              setConfirm(null);
                              void remove(rule.id);
                            }}
                          >
                            Delete
                          </button>
                          <button type="button" className="small" onClick={() => setConfirm(null)}>
                            Keep
                          </button>
                        </span>
                      ) : (
                        <span className="inline-form">
                          <button
                            type="button"
                            className="small"
                            disabled={readOnly || editing !== null}
                            aria-label={`Edit ${rule.name}`}
                            onClick={() => setEditing(rule)}
                          >
                            Edit
                          </button>
                          <button
                            type="button"
                            className="small"
                            disabled={readOnly}
                            aria-label={`Delete ${rule.name}`}
                            onClick={() => setConfirm(rule.id)}
                          >
                            Delete…
                          </button>
                        </span>
                      )}
                    </td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        ) : null}
        <p className="dim">
          Archived findings stay in the case (Findings → “+ archived”). Your own archive or unarchive of a finding wins
          over every rule.
        </p>
      </div>
    </div>
  );
}
