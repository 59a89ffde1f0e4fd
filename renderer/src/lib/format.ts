/**
 * How times and numbers read on screen. Times are UTC by default (what the logs and GuardDuty
 * use); the time zone switch changes only how they are printed, never a query.
 */
export type TimeZoneMode = 'UTC' | 'local';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function formatTime(
  iso: string | null | undefined,
  tz: TimeZoneMode,
  options: { seconds?: boolean } = {},
): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const seconds = options.seconds ?? true;
  if (tz === 'UTC') {
    const s = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    return `${s}${seconds ? `:${pad(d.getUTCSeconds())}` : ''}Z`;
  }
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  const s = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return `${s}${seconds ? `:${pad(d.getSeconds())}` : ''} ${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Axis labels: only as much of the date as the span needs. */
export function formatTick(ms: number, spanSeconds: number, tz: TimeZoneMode): string {
  const d = new Date(ms);
  const utc = tz === 'UTC';
  const y = utc ? d.getUTCFullYear() : d.getFullYear();
  const mo = (utc ? d.getUTCMonth() : d.getMonth()) + 1;
  const day = utc ? d.getUTCDate() : d.getDate();
  const h = utc ? d.getUTCHours() : d.getHours();
  const mi = utc ? d.getUTCMinutes() : d.getMinutes();
  const s = utc ? d.getUTCSeconds() : d.getSeconds();
  if (spanSeconds > 4 * 86_400) return `${y}-${pad(mo)}-${pad(day)}`;
  if (spanSeconds > 86_400) return `${pad(mo)}-${pad(day)} ${pad(h)}:${pad(mi)}`;
  if (spanSeconds > 300) return `${pad(h)}:${pad(mi)}`;
  return `${pad(h)}:${pad(mi)}:${pad(s)}`;
}

export function formatDuration(seconds: number): string {
  if (seconds >= 604_800 && seconds % 604_800 === 0) return `${seconds / 604_800} w`;
  if (seconds >= 86_400 && seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return integer.format(n);
}

/** 12.3k style for tight spaces (tabs, chart axes). */
export function formatCompact(n: number): string {
  if (Math.abs(n) < 1000) return String(Math.round(n));
  if (Math.abs(n) < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(n < 10_000_000 ? 1 : 0)}M`;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 && i > 0 ? 1 : 0)} ${units[i]}`;
}

/** Pretty JSON for a raw record that arrives as text; anything unparsable is shown as is. */
export function prettyJson(value: unknown): string {
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value, null, 2) ?? String(value);
}
