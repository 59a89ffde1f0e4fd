import { severityOf } from '../lib/severity';

/** Severity number and band, coloured by band. `pill` is the heavier header form. */
export function SeverityBadge({ value, pill = false }: { value: number; pill?: boolean }) {
  const s = severityOf(value);
  if (pill) {
    return (
      <span className={`sev-pill ${s.className}`} title={`Severity ${s.text} (${s.label})`}>
        {s.label} {s.text}
      </span>
    );
  }
  return (
    <span className={`sev ${s.className}`} title={`Severity ${s.text} (${s.label})`}>
      <span className="sev-num">{s.text}</span>
      <span className="sev-label">{s.label}</span>
    </span>
  );
}
