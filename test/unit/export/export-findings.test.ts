import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LoupeError } from '../../../shared/errors';
import { Database } from '../../../electron/engine/db/database';
import { migrate } from '../../../electron/engine/db/schema';
import { exportFindings, type ExportRequest } from '../../../electron/engine/export/export-findings';
import { evidenceByFinding, timelineSources } from '../../../electron/engine/export/evidence';
import { emptyCaseState } from '../../../electron/engine/workspace/case-state';
import { diskFullAfterHalf } from '../workspace/failing-fs';
import {
  ACCOUNT,
  ALL,
  dnsC2,
  insertCloudTrailEvidence,
  insertFindings,
  maliciousIpUserKey,
  REGION,
  sshBruteForce,
  torCallerRole,
} from './fixtures';
import {
  asffBatchSchema,
  eventBridgeSchema,
  guardDutyFindingSchema,
  ocsfDetectionFindingSchema,
  timesketchLineSchema,
} from './format-schemas';

let db: Database;
let out: string;
const ARCHIVED = 'f-probe';

beforeAll(async () => {
  db = await Database.open({ path: ':memory:' });
  await migrate(db);
  await insertFindings(db, ALL(), [ARCHIVED]);
  await insertCloudTrailEvidence(db, 'f-tor', 40, 1);
  await insertCloudTrailEvidence(db, ARCHIVED, 5, 2);
  // The same events loaded twice from an overlapping export: they must appear once.
  await db.run(
    `INSERT INTO files (file_id, path, size, type, records, status) VALUES (3, '/evidence/overlap.json.gz', 10, 'cloudtrail', 40, 'loaded')`,
  );
  await db.run(`INSERT INTO cloudtrail (event_uid, event_time, event_name, file_id, position)
                SELECT event_uid, event_time, event_name, 3, position FROM cloudtrail WHERE file_id = 1`);
});
afterAll(() => db.close());
beforeEach(() => {
  out = mkdtempSync(join(tmpdir(), 'loupe-export-'));
});
afterEach(() => rmSync(out, { recursive: true, force: true }));

const LIVE = ALL().length - 1;

async function run(request: Omit<ExportRequest, 'outPath'> & { outPath?: string }, name = 'out') {
  return exportFindings(db, { outPath: join(out, name), ...request }, { caseName: 'Test case', appVersion: '0.1.0' });
}

function jsonl(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('GuardDuty JSON, JSON lines, EventBridge', () => {
  it('writes an array of GuardDuty findings, archived ones left out, most severe first', async () => {
    const result = await run({ format: 'guardduty-json' }, 'findings.json');
    const findings = JSON.parse(readFileSync(join(out, 'findings.json'), 'utf8')) as Array<Record<string, unknown>>;
    expect(findings).toHaveLength(LIVE);
    expect(result).toMatchObject({
      format: 'guardduty-json',
      findings: LIVE,
      files: [{ path: join(out, 'findings.json'), records: LIVE }],
    });
    expect(result.files[0]?.bytes).toBe(statSync(join(out, 'findings.json')).size);
    for (const f of findings) expect(guardDutyFindingSchema.safeParse(f).success).toBe(true);
    expect(findings.map((f) => f['id'])).not.toContain(ARCHIVED);
    expect(findings[0]?.['severity']).toBe(9.5);
  });

  it('includes archived findings, marked archived, when asked', async () => {
    await run({ format: 'guardduty-jsonl', includeArchived: true }, 'all.jsonl');
    const findings = jsonl(join(out, 'all.jsonl'));
    expect(findings).toHaveLength(ALL().length);
    const archived = findings.find((f) => f['id'] === ARCHIVED) as { service: { archived: boolean } };
    expect(archived.service.archived).toBe(true);
  });

  it('writes an empty array when nothing is selected', async () => {
    await run({ format: 'guardduty-json', findingIds: [] }, 'none.json');
    expect(JSON.parse(readFileSync(join(out, 'none.json'), 'utf8'))).toEqual([]);
  });

  it('exports only the chosen findings', async () => {
    const result = await run({ format: 'guardduty-jsonl', findingIds: ['f-ssh', 'f-tor', 'no-such-id'] }, 'some.jsonl');
    expect(result.findings).toBe(2);
    expect(jsonl(join(out, 'some.jsonl')).map((f) => f['id'])).toEqual(['f-tor', 'f-ssh']);
  });

  it('writes one EventBridge event per finding', async () => {
    await run({ format: 'eventbridge' }, 'events.jsonl');
    const events = jsonl(join(out, 'events.jsonl'));
    expect(events).toHaveLength(LIVE);
    for (const e of events) expect(eventBridgeSchema.safeParse(e).success, JSON.stringify(e).slice(0, 200)).toBe(true);
  });
});

describe("GuardDuty's S3 export layout", () => {
  it('writes AWSLogs/<account>/GuardDuty/<region>/<uuid>.jsonl.gz, one finding per line', async () => {
    const other = { ...maliciousIpUserKey('f-eu'), region: 'eu-west-1' };
    const extra = await Database.open({ path: ':memory:' });
    try {
      await migrate(extra);
      await insertFindings(extra, [sshBruteForce(), torCallerRole(), other]);
      const result = await exportFindings(extra, { format: 'guardduty-s3', outPath: join(out, 'bucket') });
      const keys = result.files.map((f) => relative(join(out, 'bucket'), f.path).split('\\').join('/')).sort();
      expect(keys).toHaveLength(2);
      expect(keys[0]).toMatch(new RegExp(`^AWSLogs/${ACCOUNT}/GuardDuty/eu-west-1/[0-9a-f-]{36}\\.jsonl\\.gz$`));
      expect(keys[1]).toMatch(new RegExp(`^AWSLogs/${ACCOUNT}/GuardDuty/${REGION}/[0-9a-f-]{36}\\.jsonl\\.gz$`));
      const us = result.files.find((f) => f.path.includes(REGION));
      const lines = gunzipSync(readFileSync(us?.path ?? ''))
        .toString('utf8')
        .trim()
        .split('\n');
      expect(lines.map((l) => (JSON.parse(l) as { id: string }).id).sort()).toEqual(['f-ssh', 'f-tor']);
      for (const l of lines) expect(guardDutyFindingSchema.safeParse(JSON.parse(l)).success).toBe(true);
    } finally {
      extra.close();
    }
  });
});

describe('Security Hub and OCSF', () => {
  it('writes one BatchImportFindings document with the analyst workflow', async () => {
    const state = emptyCaseState('c');
    state.findings['f-ssh'] = { status: 'resolved', comments: [], tags: [], updatedAt: '2025-02-03T00:00:00Z' };
    await exportFindings(db, { format: 'asff', outPath: join(out, 'asff.json') }, { caseState: state });
    const doc = JSON.parse(readFileSync(join(out, 'asff.json'), 'utf8')) as {
      Findings: Array<Record<string, unknown>>;
    };
    const parsed = asffBatchSchema.safeParse(doc);
    expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3))).toBe(true);
    expect(doc.Findings).toHaveLength(LIVE);
    expect(doc.Findings.find((f) => String(f['Id']).endsWith('/f-ssh'))?.['Workflow']).toEqual({ Status: 'RESOLVED' });
  });

  it('splits more than 100 findings into numbered batch files', async () => {
    const extra = await Database.open({ path: ':memory:' });
    try {
      await migrate(extra);
      await insertFindings(
        extra,
        Array.from({ length: 150 }, (_, i) => sshBruteForce(`f-${i}`)),
      );
      const result = await exportFindings(extra, {
        format: 'asff',
        outPath: join(out, 'asff.json'),
        asffProduct: 'account-default',
      });
      expect(result.files.map((f) => [relative(out, f.path), f.records])).toEqual([
        ['asff-001.json', 100],
        ['asff-002.json', 50],
      ]);
      for (const f of result.files)
        expect(asffBatchSchema.safeParse(JSON.parse(readFileSync(f.path, 'utf8'))).success).toBe(true);
    } finally {
      extra.close();
    }
  });

  it('writes OCSF Detection Findings as JSON lines', async () => {
    await run({ format: 'ocsf' }, 'ocsf.jsonl');
    const events = jsonl(join(out, 'ocsf.jsonl'));
    expect(events).toHaveLength(LIVE);
    for (const e of events) expect(ocsfDetectionFindingSchema.safeParse(e).success).toBe(true);
    expect(events[0]).toMatchObject({ metadata: { product: { version: '0.1.0' } } });
  });
});

describe('CSV, Timesketch, HTML, playbook', () => {
  it('writes one CSV row per finding', async () => {
    await run({ format: 'csv' }, 'findings.csv');
    const text = readFileSync(join(out, 'findings.csv'), 'utf8');
    expect(text.startsWith('\ufeffid,type,severity,')).toBe(true);
    // Rows end in CRLF; the hostile title's bare LF stays inside its quoted cell.
    expect(text.split('\r\n').filter(Boolean)).toHaveLength(1 + LIVE);
  });

  it('puts findings and their evidence events, once each, on a Timesketch timeline', async () => {
    const result = await run({ format: 'timesketch' }, 'timeline.jsonl');
    const lines = jsonl(join(out, 'timeline.jsonl'));
    for (const l of lines) expect(timesketchLineSchema.safeParse(l).success, JSON.stringify(l)).toBe(true);
    const events = lines.filter((l) => l['data_type'] === 'aws:cloudtrail:event');
    // f-tor's 40 events (loaded twice, shown once); the archived finding's 5 events are left out.
    expect(result.events).toBe(40);
    expect(events).toHaveLength(40);
    expect(new Set(events.map((e) => e['event_uid'])).size).toBe(40);
    expect(events[0]).toMatchObject({
      timestamp_desc: 'Event Time',
      datetime: '2025-02-01T10:00:00.000Z',
      timestamp: Date.parse('2025-02-01T10:00:00Z') * 1000,
      finding_ids: ['f-tor'],
      finding_types: ['UnauthorizedAccess:IAMUser/TorIPCaller'],
      event_name: 'ListUsers',
      source_ip: '192.0.2.66',
      file_path: `/evidence/AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/file-1.json.gz`,
      file_position: 0,
      message: expect.stringContaining(
        'ListUsers (iam.amazonaws.com) by arn:aws:iam::111122223333:user/alice from 192.0.2.66',
      ),
    });
    expect(lines.filter((l) => l['data_type'] === 'loupe:guardduty:finding')).toHaveLength(LIVE * 2);
  });

  it('pages the timeline by time buckets without losing or repeating events, even on equal timestamps', async () => {
    const extra = await Database.open({ path: ':memory:' });
    try {
      await migrate(extra);
      await insertFindings(extra, [torCallerRole(), maliciousIpUserKey()]);
      await insertCloudTrailEvidence(extra, 'f-tor', 30, 1);
      // 12 events in the same second, across what will be bucket boundaries.
      await extra.run(`INSERT INTO cloudtrail (event_uid, event_time, event_name, file_id, position)
                       SELECT 'same-' || i, TIMESTAMPTZ '2025-02-01 10:05:00+00', 'Burst', 1, 100 + i FROM range(12) t(i)`);
      await extra.run(`INSERT INTO finding_events SELECT 'f-key', 'cloudtrail', 'same-' || i FROM range(12) t(i)`);
      const [source] = await timelineSources(extra, {}, { pageSize: 7 });
      const pages: number[] = [];
      const lines: Array<{ event_uid: string; timestamp: number }> = [];
      const total = await source?.pages(async (page) => {
        pages.push(page.length);
        lines.push(...page.map((l) => JSON.parse(l) as { event_uid: string; timestamp: number }));
      });
      expect(total).toBe(42);
      expect(pages.length).toBeGreaterThan(3);
      expect(new Set(lines.map((l) => l.event_uid)).size).toBe(42);
      const times = lines.map((l) => l.timestamp);
      expect(times).toEqual([...times].sort((a, b) => a - b));
    } finally {
      extra.close();
    }
  });

  it("puts flow and DNS evidence on the timeline with the evidence panel's summaries and their fields", async () => {
    const extra = await Database.open({ path: ':memory:' });
    try {
      await migrate(extra);
      await insertFindings(extra, [sshBruteForce(), dnsC2()]);
      await extra.run(`INSERT INTO files (file_id, path, size, type, records, status) VALUES
                         (1, '/evidence/flows.log.gz', 10, 'vpcflow', 1, 'loaded'), (2, '/evidence/dns.log.gz', 10, 'dns', 1, 'loaded')`);
      await extra.run(`INSERT INTO vpcflow (event_uid, srcaddr, dstaddr, srcport, dstport, protocol, bytes, action, start_time, interface_id, file_id, position)
                       VALUES ('1:2', '198.51.100.7', '10.0.1.5', 46717, 22, 6, 840, 'REJECT', TIMESTAMPTZ '2025-02-01 10:00:05+00', 'eni-0abc', 1, 2)`);
      await extra.run(`INSERT INTO dns (event_uid, query_time, query_name, query_type, rcode, srcaddr, instance_id, file_id, position)
                       VALUES ('2:7', TIMESTAMPTZ '2025-02-01 10:01:00.250+00', 'c2.guarddutyc2activityb.com.', 'A', 'NOERROR', '10.0.1.5', 'i-0dns', 2, 7)`);
      await extra.run(`INSERT INTO finding_events VALUES ('f-ssh', 'vpcflow', '1:2'), ('f-dns', 'dns', '2:7')`);
      const result = await exportFindings(extra, { format: 'timesketch', outPath: join(out, 't.jsonl') });
      expect(result.events).toBe(2);
      const lines = jsonl(join(out, 't.jsonl')).filter((l) => l['source'] !== 'finding');
      for (const l of lines) expect(timesketchLineSchema.safeParse(l).success).toBe(true);
      expect(lines.find((l) => l['source'] === 'vpcflow')).toMatchObject({
        message: 'TCP 198.51.100.7:46717 -> 10.0.1.5:22 REJECT 840 bytes on eni-0abc',
        timestamp_desc: 'Flow Start',
        dstport: 22,
        finding_ids: ['f-ssh'],
        file_path: '/evidence/flows.log.gz',
        file_position: 2,
      });
      expect(lines.find((l) => l['source'] === 'dns')).toMatchObject({
        message: 'A c2.guarddutyc2activityb.com. -> NOERROR from i-0dns (10.0.1.5)',
        timestamp_desc: 'Query Time',
        datetime: '2025-02-01T10:01:00.250Z',
        instance_id: 'i-0dns',
        finding_types: ['Backdoor:EC2/C&CActivity.B!DNS'],
      });
    } finally {
      extra.close();
    }
  });

  it('caps report evidence per finding and counts all of it', async () => {
    const evidence = await evidenceByFinding(db, { includeArchived: true }, 10);
    expect(evidence.get('f-tor')?.total).toBe(40);
    expect(evidence.get('f-tor')?.events).toHaveLength(10);
    expect(evidence.get('f-tor')?.events[0]).toMatchObject({
      source: 'cloudtrail',
      eventUid: 'f-tor-ev-0',
      time: '2025-02-01T10:00:00.000Z',
      position: 0,
    });
    expect(evidence.get(ARCHIVED)?.total).toBe(5);
    expect((await evidenceByFinding(db, {}, 10)).has(ARCHIVED)).toBe(false);
  });

  it('writes the HTML report with evidence from the case database', async () => {
    await run({ format: 'html' }, 'report.html');
    const page = readFileSync(join(out, 'report.html'), 'utf8');
    expect(page).toContain('Test case');
    expect(page).toContain('Evidence: 25 of 40 events');
    expect(page).toContain('ListUsers (iam.amazonaws.com)');
    expect(page).toContain(`file-1.json.gz : 0`);
    expect(page).not.toMatch(/<script/i);
  });

  it('writes the playbook script for every exported finding', async () => {
    const result = await run({ format: 'playbook' }, 'playbook.sh');
    const script = readFileSync(join(out, 'playbook.sh'), 'utf8');
    expect(result.findings).toBe(LIVE);
    expect(script.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    expect(script.match(/^# Finding \d+\/\d+:/gm)).toHaveLength(LIVE);
    expect(script).toContain('Test case');
  });
});

describe('failures leave nothing half-written', () => {
  it('refuses to overwrite unless asked', async () => {
    await run({ format: 'csv' }, 'x.csv');
    const error = await run({ format: 'csv' }, 'x.csv').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoupeError);
    expect((error as LoupeError).message).toMatch(/x\.csv already exists/);
    await expect(run({ format: 'csv', overwrite: true }, 'x.csv')).resolves.toMatchObject({ findings: LIVE });
  });

  it('a cancelled export writes no file', async () => {
    const extra = await Database.open({ path: ':memory:' });
    try {
      await migrate(extra);
      await insertFindings(
        extra,
        Array.from({ length: 1200 }, (_, i) => sshBruteForce(`f-${i}`)),
      );
      const controller = new AbortController();
      const error = await exportFindings(
        extra,
        { format: 'guardduty-jsonl', outPath: join(out, 'big.jsonl') },
        {},
        { signal: controller.signal, report: (p) => (p.done ?? 0) >= 500 && controller.abort() },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LoupeError);
      expect(['JOB_CANCELLED', 'QUERY_CANCELLED']).toContain((error as LoupeError).code);
      expect(readdirSync(out)).toEqual([]);
    } finally {
      extra.close();
    }
  });

  it('a full disk fails the export with a clear message and no file', async () => {
    const error = await exportFindings(
      db,
      { format: 'html', outPath: join(out, 'report.html') },
      { fs: diskFullAfterHalf((p) => p.includes('report.html')) },
    ).catch((e: unknown) => e);
    expect((error as LoupeError).message).toMatch(/report\.html: the disk is full/);
    expect(readdirSync(out)).toEqual([]);
  });

  it('rejects an unknown format at the boundary', async () => {
    await expect(run({ format: 'xml' as never })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/format/),
    });
  });
});
