import type { GuardDutyFinding } from '../../../shared/findings/guardduty';
import type { SeverityLabel } from '../../../shared/findings/catalog';
import { factsOf } from './finding-facts';
import { markup, type SafeHtml } from './html';

/** Inline SVG pictures for the report: plain shapes and text, no scripts, no external fonts. */
export const SEVERITY_COLORS: Record<SeverityLabel, string> = {
  Critical: '#7b1020',
  High: '#c92a2a',
  Medium: '#e67700',
  Low: '#1971c2',
};

export const SEVERITY_ORDER: readonly SeverityLabel[] = ['Critical', 'High', 'Medium', 'Low'];

export function severityChart(counts: Record<SeverityLabel, number>): SafeHtml {
  const max = Math.max(1, ...SEVERITY_ORDER.map((s) => counts[s]));
  const rowH = 28;
  const labelW = 80;
  const barW = 360;
  const height = SEVERITY_ORDER.length * rowH + 8;
  const rows = SEVERITY_ORDER.map((s, i) => {
    const y = 4 + i * rowH;
    const w = counts[s] === 0 ? 0 : Math.max(2, Math.round((counts[s] / max) * barW));
    return markup`<text x="0" y="${y + 18}" class="lbl">${s}</text>
      <rect x="${labelW}" y="${y + 4}" width="${w}" height="${rowH - 10}" fill="${SEVERITY_COLORS[s]}" rx="2"></rect>
      <text x="${labelW + w + 6}" y="${y + 18}" class="num">${counts[s]}</text>`;
  });
  return markup`<svg
    role="img"
    aria-label="Findings by severity"
    width="${labelW + barW + 60}"
    height="${height}"
    viewBox="0 0 ${labelW + barW + 60} ${height}"
  >
    ${rows}
  </svg>`;
}

function day(t: number): string {
  return new Date(t).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * Each finding as a bar from first to last seen on one time axis, most severe on top, capped
 * at `maxRows` rows (the report says how many were left out).
 */
export function timelinePicture(findings: readonly GuardDutyFinding[], maxRows = 60): { svg: SafeHtml; shown: number } {
  const spans = findings
    .map((f) => ({
      f,
      start: Date.parse(f.service?.eventFirstSeen ?? ''),
      end: Date.parse(f.service?.eventLastSeen ?? ''),
    }))
    .filter((s) => !Number.isNaN(s.start))
    .map((s) => ({ ...s, end: Number.isNaN(s.end) || s.end < s.start ? s.start : s.end }))
    .slice(0, maxRows);
  if (spans.length === 0) return { svg: markup`<p class="muted">No finding has a time to show.</p>`, shown: 0 };
  const min = Math.min(...spans.map((s) => s.start));
  const max = Math.max(...spans.map((s) => s.end));
  const range = Math.max(1, max - min);
  const left = 260;
  const width = 640;
  const rowH = 16;
  const top = 24;
  const height = top + spans.length * rowH + 10;
  const x = (t: number) => left + Math.round(((t - min) / range) * width);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((p) => {
    const t = min + p * range;
    return markup`<line x1="${x(t)}" y1="${top - 4}" x2="${x(t)}" y2="${height - 6}" class="grid"></line>
      <text x="${x(t)}" y="${top - 8}" class="tick" text-anchor="middle">${day(t)}</text>`;
  });
  const rows = spans.map((s, i) => {
    const y = top + i * rowH;
    const label = factsOf(s.f).severityLabel;
    const x1 = x(s.start);
    const w = Math.max(3, x(s.end) - x1);
    const name = s.f.type.length > 42 ? `${s.f.type.slice(0, 41)}…` : s.f.type;
    return markup`<text x="${left - 6}" y="${y + 11}" class="row" text-anchor="end">${name}</text>
      <rect x="${x1}" y="${y + 3}" width="${w}" height="${rowH - 6}" fill="${SEVERITY_COLORS[label]}" rx="2"
        ><title>${s.f.type} ${s.f.service?.eventFirstSeen ?? ''} → ${s.f.service?.eventLastSeen ?? ''}</title></rect
      >`;
  });
  return {
    svg: markup`<svg
      role="img"
      aria-label="Findings over time"
      width="${left + width + 70}"
      height="${height}"
      viewBox="0 0 ${left + width + 70} ${height}"
    >
      ${ticks}${rows}
    </svg>`,
    shown: spans.length,
  };
}
