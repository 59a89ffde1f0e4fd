import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseKeyLayout } from '../../../electron/engine/locate/key-layout';
import { cloudtrailLoader } from '../../../electron/engine/sources/cloudtrail/loader';
import { detect } from '../../../electron/engine/sources/detect';
import { dnsLoader } from '../../../electron/engine/sources/dns/loader';
import { ingestPaths } from '../../../electron/engine/sources/ingest';
import type { LoadFile, Loader } from '../../../electron/engine/sources/loader';
import { sniffHead } from '../../../electron/engine/sources/sniff';
import { vpcflowLoader } from '../../../electron/engine/sources/vpcflow/loader';
import { ACCOUNT, byName, ctKey, fileRows, jobContext, openLab, records, type Lab } from './helpers';

/**
 * The strict batch readers (`Loader.insert`) must take clean AWS files on their own: if they
 * refused them, the load would still be right (the tolerant path takes over file by file) but
 * many times slower, and no other test would notice.
 */
let lab: Lab;
beforeEach(async () => {
  lab = await openLab();
});
afterEach(() => lab.close());

const flowKey = (name: string, region = 'eu-west-1') =>
  `AWSLogs/${ACCOUNT}/vpcflowlogs/${region}/2026/03/01/${ACCOUNT}_vpcflowlogs_${region}_fl-0abc_20260301T0000Z_${name}.log.gz`;
const dnsKey = (name: string) =>
  `AWSLogs/${ACCOUNT}/vpcdnsquerylogs/vpc-0abc/2026/03/01/${ACCOUNT}_vpcdnsquerylogs_vpc-0abc_20260301T0000Z_${name}.log.gz`;
const V2 =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const flow = (i: number) =>
  `2 ${ACCOUNT} eni-${i} 10.0.0.${i} 203.0.113.${i} ${40000 + i} 443 6 ${i} ${i * 100} 1772323200 1772323260 ACCEPT OK`;
const query = (i: number, spacing = '') =>
  `{"version":${spacing}"1.100000","account_id":"${ACCOUNT}","region":"eu-west-1","vpc_id":"vpc-0abc","query_timestamp":"2026-03-01T10:00:0${i}Z","query_name":"h${i}.example.com.","query_type":"A","query_class":"IN","rcode":"NOERROR","answers":[],"srcaddr":"10.0.0.5","srcport":"53${i}","transport":"UDP","srcids":{"instance":"i-0aaa"}}`;

async function loadFiles(paths: string[]): Promise<LoadFile[]> {
  const out: LoadFile[] = [];
  for (const [i, path] of paths.entries()) {
    const detection = detect(await sniffHead(path, path, new AbortController().signal));
    out.push({ fileId: 100 + i, path, localPath: path, detection, layout: parseKeyLayout(path) });
  }
  return out;
}

async function strictInsert(loader: Loader, files: LoadFile[]): Promise<number[]> {
  return lab.db.withConnection(async (conn) => {
    const stats = await loader.insert(conn, files);
    return files.map((f) => stats.get(f.fileId)?.records ?? -1);
  });
}

describe('strict batch readers take clean files', () => {
  it('flow logs: the file region fills in, line numbers count the header', async () => {
    const a = lab.write(flowKey('A'), [V2, flow(1), flow(2)].join('\n') + '\n');
    const b = lab.write(flowKey('B', 'us-west-2'), [V2, flow(3)].join('\n'));
    expect(await strictInsert(vpcflowLoader, await loadFiles([a, b]))).toEqual([2, 1]);
    const rows = await lab.db.all<Record<string, unknown>>(
      `SELECT event_uid, region, srcaddr, dstport, bytes, iso_ts(end_time) AS e, position FROM vpcflow ORDER BY file_id, position`,
    );
    expect(rows).toEqual([
      {
        event_uid: '100:2',
        region: 'eu-west-1',
        srcaddr: '10.0.0.1',
        dstport: 443,
        bytes: '100',
        e: '2026-03-01T00:01:00.000Z',
        position: 2,
      },
      {
        event_uid: '100:3',
        region: 'eu-west-1',
        srcaddr: '10.0.0.2',
        dstport: 443,
        bytes: '200',
        e: '2026-03-01T00:01:00.000Z',
        position: 3,
      },
      {
        event_uid: '101:2',
        region: 'us-west-2',
        srcaddr: '10.0.0.3',
        dstport: 443,
        bytes: '300',
        e: '2026-03-01T00:01:00.000Z',
        position: 2,
      },
    ]);
  });

  it('flow logs: a repeated header in an all-text format is refused, not read as a record', async () => {
    const path = lab.write(
      'text/flows.log',
      ['srcaddr dstaddr action', '10.0.0.1 10.0.0.2 ACCEPT', 'srcaddr dstaddr action'].join('\n'),
    );
    await expect(strictInsert(vpcflowLoader, await loadFiles([path]))).rejects.toThrow(/header line inside the file/);
  });

  it('DNS: raw is the line as written', async () => {
    const path = lab.write(dnsKey('Q'), [query(1), query(2, ' ')].join('\n'));
    expect(await strictInsert(dnsLoader, await loadFiles([path]))).toEqual([2]);
    const rows = await lab.db.all<{ raw: string; srcport: number; position: number }>(
      `SELECT raw, srcport, position FROM dns ORDER BY position`,
    );
    expect(rows).toEqual([
      { raw: query(1), srcport: 531, position: 1 },
      { raw: query(2, ' '), srcport: 532, position: 2 },
    ]);
  });

  it('DNS: a line that is not a JSON object fails the strict read', async () => {
    const path = lab.write(dnsKey('BAD'), [query(1), '5'].join('\n'));
    await expect(strictInsert(dnsLoader, await loadFiles([path]))).rejects.toThrow(/not a JSON object/);
  });

  it('CloudTrail S3 delivery: many files in one read, positions per file', async () => {
    const a = lab.write(ctKey('us-east-1', 'A'), records(0, 3));
    const b = lab.write(ctKey('us-east-1', 'B'), records(3, 5));
    expect(await strictInsert(cloudtrailLoader, await loadFiles([a, b]))).toEqual([3, 2]);
    const rows = await lab.db.all<{ file_id: number; position: number; id: string }>(
      `SELECT file_id, position, right(event_uid, 2) AS id FROM cloudtrail ORDER BY file_id, position`,
    );
    expect(rows.map((r) => `${r.file_id}/${r.position}/${r.id}`)).toEqual([
      '100/0/00',
      '100/1/01',
      '100/2/02',
      '101/0/03',
      '101/1/04',
    ]);
  });
});

describe('batches that need care', () => {
  it('a bad line in one flow file of a batch: the others load strictly, that file line by line', async () => {
    lab.write(flowKey('A'), [V2, flow(1), flow(2)].join('\n'));
    lab.write(flowKey('B'), [V2, flow(3), '2 short line', flow(4)].join('\n'));
    lab.write(flowKey('C'), [V2, flow(5)].join('\n'));
    const report = await ingestPaths(lab.db, [`${lab.dir}/in`], jobContext());
    expect(report.events.vpcflow).toBe(5);
    const files = await fileRows(lab.db);
    expect(byName(files, 'A.log.gz')).toMatchObject({ status: 'loaded', records: 2, reason: null });
    expect(byName(files, 'B.log.gz')).toMatchObject({ status: 'loaded', records: 2 });
    expect(byName(files, 'B.log.gz').reason).toMatch(/1 line was skipped \(wrong number of fields; first at line 3\)/);
    expect(byName(files, 'C.log.gz')).toMatchObject({ status: 'loaded', records: 1, reason: null });
    const b = await lab.db.all<{ srcaddr: string; position: number }>(
      `SELECT srcaddr, position FROM vpcflow JOIN files USING (file_id) WHERE path LIKE '%B.log.gz' ORDER BY position`,
    );
    expect(b).toEqual([
      { srcaddr: '10.0.0.3', position: 2 },
      { srcaddr: '10.0.0.4', position: 4 },
    ]);
  });

  it('a blank line in a flow file keeps the line numbers after it right', async () => {
    lab.write(flowKey('BLANK'), [V2, flow(1), '', flow(2)].join('\n') + '\n');
    const report = await ingestPaths(lab.db, [`${lab.dir}/in`], jobContext());
    expect(report.events.vpcflow).toBe(2);
    const rows = await lab.db.all<{ srcaddr: string; position: number }>(
      `SELECT srcaddr, position FROM vpcflow ORDER BY position`,
    );
    expect(rows).toEqual([
      { srcaddr: '10.0.0.1', position: 2 },
      { srcaddr: '10.0.0.2', position: 4 },
    ]);
  });

  it('overlapping CloudTrail files in one batch keep the first copy of each event', async () => {
    lab.write(ctKey('us-east-1', 'A1'), records(0, 4));
    lab.write(ctKey('us-east-1', 'A2'), records(2, 6));
    const report = await ingestPaths(lab.db, [`${lab.dir}/in`], jobContext());
    expect(report.events.cloudtrail).toBe(6);
    const files = await fileRows(lab.db);
    expect(byName(files, 'A1.json.gz')).toMatchObject({ records: 4, reason: null });
    expect(byName(files, 'A2.json.gz').reason).toBe('2 of 4 events were already loaded (same eventID)');
    const kept = await lab.db.all<{ path: string; n: number }>(
      `SELECT regexp_extract(path, '_(A[12])\\.json', 1) AS path, count(*)::INTEGER AS n
       FROM cloudtrail JOIN files USING (file_id) GROUP BY 1 ORDER BY 1`,
    );
    expect(kept).toEqual([
      { path: 'A1', n: 4 },
      { path: 'A2', n: 2 },
    ]);
  });

  it('a CloudTrail document over the batch limit of 64 MiB is read again alone with room for it', async () => {
    const filler = 'x'.repeat(2000);
    const big = JSON.stringify({
      Records: Array.from({ length: 36_000 }, (_, i) => ({
        eventID: `big-${i}`,
        eventTime: '2026-03-01T00:00:00Z',
        eventName: 'GetObject',
        eventSource: 's3.amazonaws.com',
        requestParameters: { filler },
      })),
    });
    expect(big.length).toBeGreaterThan(64 * 1024 * 1024);
    lab.write(ctKey('us-east-1', 'BIG'), big);
    lab.write(ctKey('us-east-1', 'SMALL'), records(0, 2));
    const report = await ingestPaths(lab.db, [`${lab.dir}/in`], jobContext());
    expect(report.failures).toEqual([]);
    expect(report.events.cloudtrail).toBe(36_002);
  });
});
