import { severityLabel, type SeverityLabel } from '../../../shared/findings/catalog';

/** Severity as GuardDuty shows it: the band label with its colour, and the number to one decimal. */
export const SEVERITY_ORDER: readonly SeverityLabel[] = ['Critical', 'High', 'Medium', 'Low'];

export function severityClass(label: SeverityLabel): string {
  return `sev-${label.toLowerCase()}`;
}

export function severityOf(value: number): { label: SeverityLabel; className: string; text: string } {
  const label = severityLabel(value);
  return { label, className: severityClass(label), text: value.toFixed(1) };
}

export type { SeverityLabel };
