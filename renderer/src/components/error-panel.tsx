import type { ErrorInfo } from '../lib/api-client';

/** An error where it happened: the code, the engine's message, and what to do about it. */
export function ErrorPanel({ error, action }: { error: ErrorInfo; action?: { label: string; run: () => void } }) {
  return (
    <div className="error-panel" role="alert">
      <div className="code">{error.code}</div>
      <div>{error.message}</div>
      {error.hint ? <div className="hint">{error.hint}</div> : null}
      {action ? (
        <div style={{ marginTop: 8 }}>
          <button type="button" className="small" onClick={action.run}>
            {action.label}
          </button>
        </div>
      ) : null}
    </div>
  );
}
