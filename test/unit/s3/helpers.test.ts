import { describe, expect, it } from 'vitest';
import type { Progress } from '../../../electron/engine/jobs/job-registry';
import { createLimiter } from '../../../electron/engine/locate/s3/limiter';
import { collapsePrefixes } from '../../../electron/engine/locate/s3/list';
import { DownloadProgress, formatBytes, formatDuration } from '../../../electron/engine/locate/s3/progress';

describe('createLimiter', () => {
  it('never runs more tasks than allowed and runs them all', async () => {
    const limit = createLimiter(3);
    let active = 0;
    let peak = 0;
    const gates: Array<() => void> = [];
    const tasks = Array.from({ length: 10 }, (_, i) =>
      limit(async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise<void>((resolve) => gates.push(resolve));
        active--;
        return i;
      }),
    );
    // Release tasks one by one as they start; each release lets exactly one more in.
    while (gates.length > 0 || active > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      gates.shift()?.();
    }
    expect(await Promise.all(tasks)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(3);
  });

  it('frees the slot of a task that throws', async () => {
    const limit = createLimiter(1);
    await expect(limit(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limit(async () => 'next')).toBe('next');
  });
});

describe('collapsePrefixes', () => {
  it('drops duplicates and prefixes covered by shorter ones', () => {
    expect(collapsePrefixes(['a/b/', 'a/', 'c/d/', 'a/b/', 'c/de/', 'c/d/e/'])).toEqual(['a/', 'c/d/', 'c/de/']);
  });
});

describe('progress', () => {
  it('formats sizes and durations', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(250 * 1024 * 1024)).toBe('250 MB');
    expect(formatDuration(42_000)).toBe('42s');
    expect(formatDuration(130_000)).toBe('2m 10s');
    expect(formatDuration(3_780_000)).toBe('1h 3m');
  });

  it('reports files, bytes, rate and ETA', () => {
    const reports: Progress[] = [];
    let now = 0;
    const progress = new DownloadProgress(
      { signal: new AbortController().signal, report: (p) => reports.push(p) },
      's3://b/',
      4,
      4 * 1024 * 1024,
      2,
      () => now,
    );
    progress.start();
    expect(reports[0]).toMatchObject({ phase: 'downloading', done: 0, total: 4 * 1024 * 1024 });
    now = 2000;
    progress.addBytes(1024 * 1024);
    progress.fileDone();
    const last = reports[reports.length - 1];
    expect(last?.phase).toBeUndefined();
    expect(last?.message).toBe('Downloading s3://b/: 1/4 files (+2 cached), 1.0 MB of 4.0 MB, 512 KB/s, ETA 6s');
  });
});
