import { useEffect, useState } from 'react';
import type { SeverityLabel } from '../../../../shared/findings/catalog';
import { formatCount } from '../../lib/format';
import { SEVERITY_ORDER, severityClass } from '../../lib/severity';
import { useAppStore } from '../../store';
import type { GroupBy } from '../../store/findings';

/** Text typed into the search box reaches the engine after a pause, not per keystroke. */
function useDebounced(value: string, ms: number): string {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

function SeverityToggles() {
  const selected = useAppStore((s) => s.findings.filter.severities);
  const counts = useAppStore((s) => s.findings.counts);
  const setFilter = useAppStore((s) => s.setFilter);
  const toggle = (label: SeverityLabel) => {
    const cur = new Set(selected ?? []);
    if (cur.has(label)) cur.delete(label);
    else cur.add(label);
    setFilter({ severities: cur.size ? SEVERITY_ORDER.filter((l) => cur.has(l)) : undefined });
  };
  return (
    <span style={{ display: 'inline-flex', gap: 6 }} role="group" aria-label="Severity">
      {SEVERITY_ORDER.map((label) => (
        <button
          key={label}
          type="button"
          className={`sev-toggle ${severityClass(label)}`}
          aria-pressed={selected?.includes(label) ?? false}
          data-testid={`sev-count-${label}`}
          onClick={() => toggle(label)}
        >
          {label} <span className="n">{counts ? formatCount(counts[label]) : '…'}</span>
        </button>
      ))}
    </span>
  );
}

function TimeInput({ which }: { which: 'from' | 'to' }) {
  const value = useAppStore((s) => s.workspace.scope[which]);
  const setScope = useAppStore((s) => s.setScope);
  const [text, setText] = useState(value ?? '');
  useEffect(() => setText(value ?? ''), [value]);
  const apply = () => {
    const trimmed = text.trim();
    if (!trimmed) return setScope({ [which]: undefined });
    const ms = Date.parse(trimmed);
    if (!Number.isNaN(ms)) setScope({ [which]: new Date(ms).toISOString() });
  };
  return (
    <input
      type="text"
      className="mono"
      style={{ width: 118 }}
      placeholder={which === 'from' ? 'from (UTC ISO)' : 'to (UTC ISO)'}
      aria-label={which === 'from' ? 'From time' : 'To time'}
      value={text}
      onChange={(e) => setText(e.target.value)}
      onBlur={apply}
      onKeyDown={(e) => {
        if (e.key === 'Enter') apply();
      }}
    />
  );
}

/**
 * The resource filter: a part of the id (any case), or with "exact" the whole id, so AKIA...1
 * does not also match AKIA...10. Applied on Enter or when the field is left.
 */
function ResourceInput() {
  const resource = useAppStore((s) => s.findings.filter.resource);
  const resourceId = useAppStore((s) => s.findings.filter.resourceId);
  const setFilter = useAppStore((s) => s.setFilter);
  const [text, setText] = useState(resourceId ?? resource ?? '');
  const [exact, setExact] = useState(resourceId !== undefined);
  useEffect(() => {
    setText(resourceId ?? resource ?? '');
    setExact(resourceId !== undefined);
  }, [resource, resourceId]);
  const apply = (value: string, isExact: boolean) => {
    const v = value.trim() || undefined;
    if (isExact ? v === resourceId && resource === undefined : v === resource && resourceId === undefined) return;
    setFilter(isExact ? { resourceId: v, resource: undefined } : { resource: v, resourceId: undefined });
  };
  return (
    <span className="inline-form" style={{ gap: 4 }}>
      <input
        type="search"
        className="mono"
        style={{ width: 150 }}
        placeholder={exact ? 'exact resource id' : 'resource id'}
        aria-label="Resource id"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onBlur={() => apply(text, exact)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') apply(text, exact);
        }}
      />
      <label title="Match the whole resource id, not a part of it">
        <input
          type="checkbox"
          aria-label="Exact resource id"
          checked={exact}
          onChange={(e) => {
            setExact(e.target.checked);
            apply(text, e.target.checked);
          }}
        />
        exact
      </label>
    </span>
  );
}

export function FindingsToolbar() {
  const filter = useAppStore((s) => s.findings.filter);
  const setFilter = useAppStore((s) => s.setFilter);
  const groupBy = useAppStore((s) => s.findings.groupBy);
  const setGroupBy = useAppStore((s) => s.setGroupBy);
  const typeOptions = useAppStore((s) => s.findings.typeOptions);
  const accounts = useAppStore((s) => s.workspace.summary?.accounts);
  const accountRows = useAppStore((s) => s.workspace.accounts.rows);
  const setAccountFilter = useAppStore((s) => s.setAccountFilter);

  const [text, setText] = useState(filter.text ?? '');
  const debounced = useDebounced(text, 250);
  useEffect(() => {
    if ((filter.text ?? '') !== debounced) setFilter({ text: debounced || undefined });
    // Only the debounced text drives the query; the filter is read, not watched.
  }, [debounced]);

  const regions = [...new Set((accountRows ?? []).map((r) => r.region))].sort();

  return (
    <div className="toolbar">
      <SeverityToggles />
      <span className="sep" />
      <input
        id="findings-search"
        type="search"
        placeholder="Search  ( / )"
        aria-label="Search findings"
        style={{ width: 170 }}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <select
        aria-label="Finding type"
        value={filter.types?.[0] ?? ''}
        onChange={(e) => setFilter({ types: e.target.value ? [e.target.value] : undefined })}
        style={{ width: 170 }}
      >
        <option value="">All types</option>
        {typeOptions.map((t) => (
          <option key={t.type} value={t.type}>
            {t.type} ({t.findings})
          </option>
        ))}
      </select>
      <select
        aria-label="Account"
        style={{ width: 130 }}
        value={filter.accounts?.[0] ?? ''}
        onChange={(e) => setAccountFilter(e.target.value ? [e.target.value] : [])}
      >
        <option value="">All accounts</option>
        {(accounts ?? []).map((a) => (
          <option key={a} value={a}>
            {a}
          </option>
        ))}
      </select>
      <select
        aria-label="Region"
        style={{ width: 112 }}
        value={filter.regions?.[0] ?? ''}
        onChange={(e) => setFilter({ regions: e.target.value ? [e.target.value] : undefined })}
      >
        <option value="">All regions</option>
        {regions.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <ResourceInput />
      <TimeInput which="from" />
      <TimeInput which="to" />
      <select
        aria-label="Archived"
        style={{ width: 124 }}
        value={filter.archived ?? 'exclude'}
        onChange={(e) => setFilter({ archived: e.target.value as 'exclude' | 'include' | 'only' })}
      >
        <option value="exclude">Current</option>
        <option value="include">+ archived</option>
        <option value="only">Archived only</option>
      </select>
      <span className="sep" />
      <label>
        Group
        <select aria-label="Group by" value={groupBy} onChange={(e) => setGroupBy(e.target.value as GroupBy)}>
          <option value="none">None</option>
          <option value="type">Type</option>
          <option value="resource">Resource</option>
        </select>
      </label>
    </div>
  );
}
