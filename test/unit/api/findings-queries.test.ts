import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contract } from '../../../shared/api/contract';
import type { Database } from '../../../electron/engine/db/database';
import { countFindings, listFindings, type ListFindingsInput } from '../../../electron/engine/findings/list';
import { getFinding } from '../../../electron/engine/findings/get';
import { findingEvidence } from '../../../electron/engine/findings/evidence';
import { exportFindings } from '../../../electron/engine/export/export-findings';
import { addCloudTrail, addDns, addFile, addFinding, addFlow, openCaseDb, seedFindings } from './case-fixture';

let db: Database;
beforeEach(async () => {
  db = await openCaseDb();
  await seedFindings(db);
});
afterEach(() => db.close());

/** Builds input the way a shell does: through the channel's schema, so defaults apply. */
const listInput = (raw: unknown): ListFindingsInput => contract['findings:list'].input.parse(raw);
const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id);

describe('findings:list', () => {
  it('sorts by severity, most severe first, and leaves archived findings out by default', async () => {
    const result = await listFindings(db, listInput({}));
    expect(result.total).toBe(4);
    expect(ids(result.rows)).toEqual(['f-crit', 'f-high', 'f-med', 'f-low']);
    expect(contract['findings:list'].output.parse(result)).toEqual(result);
    const high = result.rows.find((r) => r.id === 'f-high');
    expect(high).toMatchObject({
      accountId: '444455556666',
      region: 'eu-west-1',
      resourceType: 'AccessKey',
      count: 1,
      firstSeen: '2024-05-03T00:00:00.000Z',
      lastSeen: '2024-05-03T02:00:00.000Z',
      archived: false,
    });
  });

  it('sorts by every allow-listed key in both directions', async () => {
    expect(ids((await listFindings(db, listInput({ sort: { by: 'count', dir: 'asc' } }))).rows)).toEqual([
      'f-high',
      'f-low',
      'f-crit',
      'f-med',
    ]);
    expect(ids((await listFindings(db, listInput({ sort: { by: 'firstSeen', dir: 'asc' } }))).rows)).toEqual([
      'f-low',
      'f-med',
      'f-high',
      'f-crit',
    ]);
    const byAccount = await listFindings(db, listInput({ sort: { by: 'account', dir: 'desc' } }));
    expect(byAccount.rows[0]?.id).toBe('f-high');
  });

  it('pages without overlap and reports the full total', async () => {
    const first = await listFindings(db, listInput({ limit: 2, offset: 0 }));
    const second = await listFindings(db, listInput({ limit: 2, offset: 2 }));
    const beyond = await listFindings(db, listInput({ limit: 2, offset: 10 }));
    expect(ids(first.rows)).toEqual(['f-crit', 'f-high']);
    expect(ids(second.rows)).toEqual(['f-med', 'f-low']);
    expect(beyond).toEqual({ total: 4, rows: [] });
  });

  it('filters by severity label, type, account, region, resource, text and time', async () => {
    const q = async (filter: object) => ids((await listFindings(db, listInput({ filter }))).rows).sort();
    expect(await q({ severities: ['High', 'Critical'] })).toEqual(['f-crit', 'f-high']);
    expect(await q({ severities: ['Low'] })).toEqual(['f-low']);
    expect(await q({ types: ['Discovery:S3/MaliciousIPCaller'] })).toEqual(['f-med']);
    expect(await q({ accounts: ['444455556666'] })).toEqual(['f-high']);
    expect(await q({ regions: ['us-east-1'] })).toEqual(['f-crit', 'f-low', 'f-med']);
    // '%' and '_' are literal characters, not wildcards.
    expect(await q({ resource: '100%_B' })).toEqual(['f-med']);
    expect(await q({ resource: '%' })).toEqual(['f-med']);
    expect(await q({ text: 'outside aws' })).toEqual(['f-high']);
    expect(await q({ text: 'description of f-low' })).toEqual(['f-low']);
    expect(await q({ from: '2024-05-03T01:00:00Z' })).toEqual(['f-crit', 'f-high']);
    expect(await q({ to: '2024-05-01T12:00:00Z' })).toEqual(['f-low']);
    expect(await q({ archived: 'only' })).toEqual(['f-archived']);
    expect(await q({ archived: 'include' })).toHaveLength(5);
  });

  it('treats hostile filter text as a value, never as SQL', async () => {
    const result = await listFindings(db, listInput({ filter: { text: "' OR 1=1 --", types: ["x') OR true --"] } }));
    expect(result).toEqual({ total: 0, rows: [] });
    expect((await listFindings(db, listInput({}))).total).toBe(4);
  });

  it('rejects a time that is not a date with INVALID_INPUT naming the field', async () => {
    await expect(listFindings(db, listInput({ filter: { from: 'yesterday-ish' } }))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining("'from'"),
    });
  });
});

describe('findings:counts', () => {
  it('counts per severity band under the same filter', async () => {
    expect(await countFindings(db, {})).toEqual({ Low: 1, Medium: 1, High: 1, Critical: 1, total: 4 });
    expect(await countFindings(db, { archived: 'include' })).toEqual({
      Low: 1,
      Medium: 1,
      High: 2,
      Critical: 1,
      total: 5,
    });
    expect(await countFindings(db, { accounts: ['444455556666'] })).toEqual({
      Low: 0,
      Medium: 0,
      High: 1,
      Critical: 0,
      total: 1,
    });
  });
});

describe('findings:get', () => {
  it('returns the GuardDuty JSON with the live archived flag', async () => {
    const finding = await getFinding(db, 'f-archived');
    expect(finding).toMatchObject({ id: 'f-archived', type: 'Recon:IAMUser/MaliciousIPCaller', severity: 8 });
    expect(finding.service.archived).toBe(true);
    expect(contract['findings:get'].output.safeParse(finding).success).toBe(true);
  });

  it('answers NOT_FOUND for an unknown id', async () => {
    await expect(getFinding(db, 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('findings:evidence', () => {
  beforeEach(async () => {
    await addFile(db, { id: 1, path: '/logs/a.json.gz' });
    await addFile(db, { id: 2, path: '/logs/b.json.gz' });
    await addCloudTrail(db, { uid: 'e2', time: '2024-05-01T00:30:00Z', name: 'ListUsers', fileId: 1, position: 4 });
    await addCloudTrail(db, {
      uid: 'e1',
      time: '2024-05-01T00:10:00Z',
      name: 'GetCallerIdentity',
      fileId: 1,
      position: 2,
      error: 'AccessDenied',
    });
    // The same event in an overlapping second export: shown once, from its first file.
    await addCloudTrail(db, {
      uid: 'e1',
      time: '2024-05-01T00:10:00Z',
      name: 'GetCallerIdentity',
      fileId: 2,
      position: 0,
    });
    await addFinding(db, {
      id: 'f-ev',
      type: 'Recon:IAMUser/MaliciousIPCaller',
      severity: 2,
      firstSeen: '2024-05-01T00:10:00Z',
      lastSeen: '2024-05-01T00:30:00Z',
      events: ['e2', 'e1', 'e-gone'],
    });
  });

  it('returns the raw events oldest first, traced to file and position, with a summary', async () => {
    const result = await findingEvidence(db, { id: 'f-ev', offset: 0, limit: 10 });
    expect(contract['findings:evidence'].output.parse(result)).toEqual(result);
    expect(result.total).toBe(3);
    expect(result.rows.map((r) => r.eventUid)).toEqual(['e1', 'e2', 'e-gone']);
    const [first, second, gone] = result.rows;
    expect(first).toMatchObject({
      source: 'cloudtrail',
      eventTime: '2024-05-01T00:10:00.000Z',
      fileId: 1,
      filePath: '/logs/a.json.gz',
      position: 2,
    });
    expect(first?.summary).toBe(
      'GetCallerIdentity (iam.amazonaws.com) by arn:aws:iam::111122223333:user/alice from 198.51.100.7 -> AccessDenied',
    );
    expect(JSON.parse(first?.raw ?? '')).toMatchObject({ eventID: 'e1', eventName: 'GetCallerIdentity' });
    expect(second?.summary).not.toContain('->');
    expect(gone).toMatchObject({ eventTime: null, fileId: null, filePath: null, raw: '' });
    expect(gone?.summary).toContain('not found');
  });

  it('pages the events', async () => {
    const page = await findingEvidence(db, { id: 'f-ev', offset: 1, limit: 1 });
    expect(page.total).toBe(3);
    expect(page.rows.map((r) => r.eventUid)).toEqual(['e2']);
  });

  it('summarises flow and DNS events, keeping the raw record even where the table has no raw column', async () => {
    await addFile(db, { id: 3, path: '/logs/flows.log.gz' });
    await addFile(db, { id: 4, path: '/logs/dns.log.gz' });
    await addFlow(db, {
      uid: '3:7',
      time: '2024-05-01T00:01:00Z',
      fileId: 3,
      line: 7,
      src: '203.0.113.9',
      dst: '10.0.0.5',
      dstPort: 22,
    });
    await addDns(db, { uid: '4:2', time: '2024-05-01T00:02:00Z', fileId: 4, line: 2, name: 'evil.example.' });
    await addDns(db, {
      uid: '4:3',
      time: '2024-05-01T00:03:00Z',
      fileId: 4,
      line: 3,
      name: 'other.example.',
      instance: null,
    });
    await addFinding(db, {
      id: 'f-net',
      type: 'Recon:EC2/Portscan',
      severity: 5,
      firstSeen: '2024-05-01T00:01:00Z',
      lastSeen: '2024-05-01T00:03:00Z',
    });
    await db.run(
      `INSERT INTO finding_events VALUES ('f-net', 'vpcflow', '3:7'), ('f-net', 'dns', '4:2'), ('f-net', 'dns', '4:3')`,
    );
    const result = await findingEvidence(db, { id: 'f-net', offset: 0, limit: 10 });
    expect(result.rows.map((r) => [r.source, r.summary, r.filePath, r.position])).toEqual([
      ['vpcflow', 'TCP 203.0.113.9:49152 -> 10.0.0.5:22 REJECT 180 bytes on eni-0abc', '/logs/flows.log.gz', 7],
      ['dns', 'A evil.example. -> NOERROR from i-0123456789abcdef0 (10.0.0.5)', '/logs/dns.log.gz', 2],
      ['dns', 'A other.example. -> NOERROR from 10.0.0.5', '/logs/dns.log.gz', 3],
    ]);
    expect(JSON.parse(result.rows[0]?.raw ?? '')).toMatchObject({
      srcaddr: '203.0.113.9',
      dstport: 22,
      action: 'REJECT',
    });
    expect(JSON.parse(result.rows[1]?.raw ?? '')).toEqual({ query_name: 'evil.example.' });
  });

  it('answers NOT_FOUND for an unknown finding', async () => {
    await expect(findingEvidence(db, { id: 'missing', offset: 0, limit: 10 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('findings files (the export module, as the CLI uses it)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'loupe-findings-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a JSON array, most severe first, leaving archived findings out unless asked', async () => {
    const out = join(dir, 'findings.json');
    const result = await exportFindings(db, { format: 'guardduty-json', outPath: out });
    const parsed = JSON.parse(readFileSync(out, 'utf8')) as Array<{ id: string }>;
    expect(result.findings).toBe(4);
    expect(parsed.map((f) => f.id)).toEqual(['f-crit', 'f-high', 'f-med', 'f-low']);

    const all = join(dir, 'all.jsonl');
    await exportFindings(db, { format: 'guardduty-jsonl', outPath: all, includeArchived: true });
    const rows = readFileSync(all, 'utf8').trimEnd().split('\n');
    expect(rows).toHaveLength(5);
    expect(rows.map((r) => (JSON.parse(r) as { id: string }).id)).toContain('f-archived');
  });

  it('writes an empty array when there are no findings', async () => {
    await db.run('DELETE FROM findings');
    const out = join(dir, 'none.json');
    expect((await exportFindings(db, { format: 'guardduty-json', outPath: out })).findings).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual([]);
  });
});
