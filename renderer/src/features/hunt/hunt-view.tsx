import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Copyable } from '../../components/copy';
import { ErrorPanel } from '../../components/error-panel';
import { Pager } from '../../components/pager';
import { formatCount } from '../../lib/format';
import { useAppStore } from '../../store';
import { HUNT_PAGE, placeholders } from '../../store/hunt';

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function SchemaBrowser({ onInsert }: { onInsert: (text: string) => void }) {
  const schema = useAppStore((s) => s.hunt.schema);
  const error = useAppStore((s) => s.hunt.schemaError);
  const applyExample = useAppStore((s) => s.applyExample);
  if (error) return <ErrorPanel error={error} />;
  if (!schema) return <div className="loading-line" />;
  return (
    <>
      <h4>Examples</h4>
      {schema.examples.map((ex) => (
        <button key={ex.title} type="button" className="example" onClick={() => void applyExample(ex)} title={ex.sql}>
          {ex.title}
          <small>{ex.description}</small>
        </button>
      ))}
      <h4 style={{ marginTop: 10 }}>Tables</h4>
      {schema.tables.map((t) => (
        <details key={t.name}>
          <summary>
            <span className="mono" onDoubleClick={() => onInsert(t.name)}>
              {t.name}
            </span>
            <span className="n">{formatCount(t.rows)}</span>
          </summary>
          {t.columns.map((c) => (
            <div
              key={c.name}
              className="col"
              title={`${c.name} ${c.type} — click to insert`}
              onClick={() => onInsert(c.name)}
            >
              <span className="mono">{c.name}</span>
              <span className="t">{c.type}</span>
            </div>
          ))}
        </details>
      ))}
    </>
  );
}

/** Read-only SQL over the case tables: schema on the left, editor, parameters, paged results. */
export function HuntView() {
  const hunt = useAppStore((s) => s.hunt);
  const { setSql, setParam, runHunt, cancelHunt, loadHuntSchema } = useAppStore(
    useShallow((s) => ({
      setSql: s.setSql,
      setParam: s.setParam,
      runHunt: s.runHunt,
      cancelHunt: s.cancelHunt,
      loadHuntSchema: s.loadHuntSchema,
    })),
  );
  const editor = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (!hunt.schema) void loadHuntSchema();
  }, [hunt.schema, loadHuntSchema]);

  const insert = (text: string) => {
    const el = editor.current;
    if (!el) return setSql(`${hunt.sql}${text}`);
    const { selectionStart: a, selectionEnd: b } = el;
    setSql(`${hunt.sql.slice(0, a)}${text}${hunt.sql.slice(b)}`);
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(a + text.length, a + text.length);
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void runHunt(0);
    }
    if (e.key === 'Tab' && !e.shiftKey) {
      e.preventDefault();
      insert('  ');
    }
  };

  const names = placeholders(hunt.sql);
  const result = hunt.result;
  return (
    <div className="hunt">
      <aside className="hunt-side" aria-label="Schema and examples">
        <SchemaBrowser onInsert={insert} />
      </aside>
      <section className="hunt-main">
        <div className="hunt-editor">
          {hunt.title ? <div className="dim">{hunt.title}</div> : null}
          <textarea
            ref={editor}
            className="sql"
            spellCheck={false}
            aria-label="SQL query"
            value={hunt.sql}
            onChange={(e) => setSql(e.target.value)}
            onKeyDown={onKeyDown}
            data-testid="hunt-sql"
          />
          {names.length ? (
            <div className="params">
              {names.map((n) => (
                <label key={n}>
                  <span className="mono">${n}</span>
                  <input
                    type="text"
                    className="mono"
                    value={hunt.params[n] ?? ''}
                    onChange={(e) => setParam(n, e.target.value)}
                    aria-label={`Parameter ${n}`}
                  />
                </label>
              ))}
            </div>
          ) : null}
          <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
            <button
              type="button"
              className="primary"
              onClick={() => void runHunt(0)}
              disabled={!!hunt.running}
              data-testid="hunt-run"
            >
              Run
            </button>
            <button type="button" onClick={() => void cancelHunt()} disabled={!hunt.running}>
              Cancel
            </button>
            <span className="dim">Ctrl+Enter runs · read-only: one SELECT or WITH query over the case tables</span>
            <span
              style={{ marginLeft: 'auto', display: 'inline-flex', alignItems: 'center', gap: 8, whiteSpace: 'nowrap' }}
            >
              {result && !hunt.running ? <span className="dim">{formatCount(result.elapsedMs)} ms</span> : null}
              {result ? (
                <Pager
                  offset={result.offset}
                  count={result.rows.length}
                  total={null}
                  hasMore={result.hasMore}
                  pageSize={HUNT_PAGE}
                  busy={!!hunt.running}
                  onPage={(o) => void runHunt(o)}
                />
              ) : null}
            </span>
          </div>
        </div>
        {hunt.running ? <div className="loading-line" /> : null}
        {hunt.error ? <ErrorPanel error={hunt.error} /> : null}
        <div className="hunt-results">
          {result ? (
            <table className="data" data-testid="hunt-results">
              <thead>
                <tr>
                  {result.columns.map((c) => (
                    <th key={c.name} title={c.type}>
                      {c.name}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {result.rows.map((row, i) => (
                  <tr key={result.offset + i}>
                    {row.map((v, j) => (
                      <td key={j} className="mono" title={cellText(v)}>
                        {v === null ? <span className="null">null</span> : <Copyable value={cellText(v)} />}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          ) : !hunt.error && !hunt.running ? (
            <div className="empty">Write a query or pick an example on the left, then Run.</div>
          ) : null}
          {result && result.rows.length === 0 ? <div className="empty">The query returned no rows.</div> : null}
        </div>
      </section>
    </div>
  );
}
