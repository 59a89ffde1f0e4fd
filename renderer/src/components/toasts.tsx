import { useEffect, type ReactNode } from 'react';
import { useAppStore } from '../store';
import type { Toast } from '../store/notifications';

const LIFETIME_MS: Record<Toast['kind'], number> = { info: 5000, success: 4000, job: 5000, error: 12_000 };

function ToastItem({ toast }: { toast: Toast }) {
  const dismiss = useAppStore((s) => s.dismiss);
  useEffect(() => {
    const timer = setTimeout(() => dismiss(toast.id), LIFETIME_MS[toast.kind]);
    return () => clearTimeout(timer);
  }, [toast.id, toast.kind, dismiss]);
  let className = `toast ${toast.kind}`;
  let body: ReactNode;
  switch (toast.kind) {
    case 'error':
      body = (
        <>
          <div className="msg">{toast.error.message}</div>
          {toast.error.hint ? <div className="msg">{toast.error.hint}</div> : null}
        </>
      );
      break;
    case 'job':
      className += toast.status === 'ok' ? ' job-ok' : '';
      body = <div className="msg">{toast.message}</div>;
      break;
    default:
      body = toast.message ? <div className="msg">{toast.message}</div> : null;
  }
  return (
    <div className={className} role={toast.kind === 'error' ? 'alert' : 'status'}>
      <div className="body">
        <div className="title">{toast.title}</div>
        {body}
      </div>
      <button type="button" className="ghost small" aria-label="Dismiss" onClick={() => dismiss(toast.id)}>
        ×
      </button>
    </div>
  );
}

export function Toasts() {
  const toasts = useAppStore((s) => s.notifications.toasts);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <ToastItem key={t.id} toast={t} />
      ))}
    </div>
  );
}
