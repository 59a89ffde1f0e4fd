import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../../electron/engine/sources/ingest';
import { byName, ctEvent, ctKey, fileRows, jobContext, openLab, records, type Lab } from './helpers';

let lab: Lab;
beforeEach(async () => {
  lab = await openLab();
});
afterEach(() => lab.close());

/** A record big enough that its gzip is far larger than the part the sniffer reads whole. */
function bigRecords(from: number, to: number): string {
  const list = [];
  for (let i = from; i < to; i++) list.push(ctEvent(i, { requestParameters: { filler: `${i}-`.repeat(400) } }));
  return JSON.stringify({ Records: list });
}

describe('bad input never stops the load', () => {
  it('records each broken file with a clear reason and still loads every good file in the batch', async () => {
    const good = [
      lab.write(ctKey('us-east-1', 'GOOD1'), records(0, 4)),
      lab.write(ctKey('us-east-1', 'GOOD2'), records(4, 8)),
    ];
    // Large gzip cut in half: the sniffer sees a healthy start, DuckDB finds the end missing.
    const big = gzipSync(bigRecords(100, 2000));
    const truncatedBig = lab.write(ctKey('us-east-1', 'TRUNCBIG'), 'x');
    writeFileSync(truncatedBig, big.subarray(0, Math.floor(big.length / 2)));
    // Small gzip cut short: caught while sniffing.
    const small = gzipSync(records(200, 210));
    writeFileSync(lab.write(ctKey('us-east-1', 'TRUNCSMALL'), 'x'), small.subarray(0, small.length - 40));
    // Gzip header damaged.
    const damaged = Buffer.from(gzipSync(records(300, 310)));
    damaged[3] = 0xff;
    damaged[10] = 0xff;
    damaged[11] = 0xff;
    writeFileSync(lab.write(ctKey('us-east-1', 'DAMAGED'), 'x'), damaged);
    const fullText = records(400, 410);
    lab.write('hand/truncated.json', fullText.slice(0, fullText.length - 30));
    lab.write(
      'hand/invalid-middle.json',
      fullText.replace('"eventName":"DescribeInstances"', '"eventName":DescribeInstances"'),
    );
    lab.write(
      'hand/guardduty.json',
      JSON.stringify({ schemaVersion: '2.0', accountId: '1', type: 'Recon:EC2/PortProbeUnprotectedPort', service: {} }),
    );
    lab.write('hand/empty.json', '');
    lab.write('hand/blob.bin', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    // Mixed compression: names that lie about the bytes still load.
    lab.write('mixed/plain-named.json.gz', records(500, 503), false);
    lab.write('mixed/gzip-named.json', records(503, 506), true);

    const report = await ingestPaths(lab.db, [`${lab.dir}/in`], jobContext());
    const files = await fileRows(lab.db);
    expect(files.length).toBe(12);
    expect(report.filesSeen).toBe(12);
    expect(report.filesLoaded).toBe(4);
    expect(report.events.cloudtrail).toBe(8 + 3 + 3);
    for (const path of good) expect(files.find((f) => f.path === path)?.status).toBe('loaded');
    expect(byName(files, 'plain-named.json.gz')).toMatchObject({ status: 'loaded', records: 3 });
    expect(byName(files, 'gzip-named.json')).toMatchObject({ status: 'loaded', records: 3 });

    expect(byName(files, 'TRUNCBIG.json.gz')).toMatchObject({ status: 'failed', type: 'cloudtrail' });
    expect(byName(files, 'TRUNCBIG.json.gz').reason).toMatch(/corrupt gzip: truncated/);
    expect(byName(files, 'TRUNCSMALL.json.gz').reason).toMatch(/corrupt gzip: truncated/);
    expect(byName(files, 'DAMAGED.json.gz')).toMatchObject({ status: 'failed' });
    expect(byName(files, 'DAMAGED.json.gz').reason).toMatch(/gzip/);
    expect(byName(files, 'truncated.json')).toMatchObject({ status: 'failed' });
    expect(byName(files, 'truncated.json').reason).toMatch(/truncated JSON/);
    expect(byName(files, 'invalid-middle.json').reason).toMatch(/invalid JSON at byte \d+/);
    expect(byName(files, 'guardduty.json')).toMatchObject({ status: 'skipped', type: 'unknown' });
    expect(byName(files, 'guardduty.json').reason).toMatch(/not a CloudTrail.*keys: schemaVersion/);
    expect(byName(files, 'empty.json')).toMatchObject({ status: 'skipped', reason: 'empty file (0 bytes)' });
    expect(byName(files, 'blob.bin').reason).toMatch(/binary/);
    expect(report.failures.map((f) => f.path).sort()).toEqual(
      files
        .filter((f) => f.status === 'failed' || f.status === 'skipped')
        .map((f) => f.path)
        .sort(),
    );
  });

  it('never modifies or moves the source files', async () => {
    const path = lab.write(ctKey('us-east-1', 'KEEP'), records(0, 3));
    const before = readFileSync(path);
    await ingestPaths(lab.db, [path], jobContext());
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('reports a missing input path and loads the others', async () => {
    const path = lab.write(ctKey('us-east-1', 'HERE'), records(0, 3));
    const report = await ingestPaths(lab.db, [path, `${lab.dir}/in/nope`], jobContext());
    expect(report.filesLoaded).toBe(1);
    expect(report.failures).toEqual([
      { path: `${lab.dir}/in/nope`, status: 'failed', reason: 'no such file or folder' },
    ]);
  });

  it('stops on cancel with JOB_CANCELLED and keeps nothing half-loaded', async () => {
    for (let i = 0; i < 5; i++) lab.write(ctKey('us-east-1', `C${i}`), records(i * 10, i * 10 + 10));
    const controller = new AbortController();
    const ctx = jobContext(controller.signal);
    ctx.report = (p) => {
      if (p.phase === 'load') controller.abort();
    };
    await expect(ingestPaths(lab.db, [`${lab.dir}/in`], ctx)).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
    const n = await lab.db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM cloudtrail`);
    expect(n?.n).toBe(0);
  });
});
