import type { JobContext } from '../../jobs/job-registry';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** Download progress: bytes drive done/total, the message adds files, rate and ETA. */
export class DownloadProgress {
  private filesDone = 0;
  private bytesDone = 0;
  private readonly startedAt: number;

  constructor(
    private readonly ctx: JobContext,
    private readonly label: string,
    private readonly totalFiles: number,
    private readonly totalBytes: number,
    private readonly cachedFiles: number,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  start(): void {
    this.ctx.report({ phase: 'downloading', done: 0, total: this.totalBytes, message: this.message() });
  }

  addBytes(delta: number): void {
    this.bytesDone += delta;
    this.emit();
  }

  fileDone(): void {
    this.filesDone++;
    this.emit();
  }

  private emit(): void {
    this.ctx.report({ done: this.bytesDone, total: this.totalBytes, message: this.message() });
  }

  message(): string {
    const elapsed = this.now() - this.startedAt;
    const rate = elapsed > 0 ? (this.bytesDone * 1000) / elapsed : 0;
    const remaining = Math.max(0, this.totalBytes - this.bytesDone);
    const eta = rate > 0 ? formatDuration((remaining / rate) * 1000) : '--';
    const cached = this.cachedFiles > 0 ? ` (+${this.cachedFiles} cached)` : '';
    return (
      `Downloading ${this.label}: ${this.filesDone}/${this.totalFiles} files${cached}, ` +
      `${formatBytes(this.bytesDone)} of ${formatBytes(this.totalBytes)}, ${formatBytes(rate)}/s, ETA ${eta}`
    );
  }
}
