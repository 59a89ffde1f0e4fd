import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../../electron/engine/sources/ingest';
import { ACCOUNT, byName, fileRows, jobContext, openLab, type Lab } from './helpers';

let lab: Lab;
beforeEach(async () => {
  lab = await openLab();
});
afterEach(() => lab.close());

const flowKey = (name: string) =>
  `AWSLogs/${ACCOUNT}/vpcflowlogs/eu-west-1/2026/03/01/${ACCOUNT}_vpcflowlogs_eu-west-1_fl-0abc_20260301T0000Z_${name}.log.gz`;
const dnsKey = (name: string) =>
  `AWSLogs/${ACCOUNT}/vpcdnsquerylogs/vpc-0abc/2026/03/01/${ACCOUNT}_vpcdnsquerylogs_vpc-0abc_20260301T0000Z_${name}.log.gz`;

describe('VPC Flow Logs', () => {
  it('reads the default v2 format: NODATA/SKIPDATA, IPv6, ICMP, "-" as NULL, bad lines reported', async () => {
    const lines = [
      'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
      `2 ${ACCOUNT} eni-1 2001:db8::1 2001:db8::2 34892 22 6 54 8855 1772323200 1772323260 ACCEPT OK`,
      `2 ${ACCOUNT} eni-1 - - - - - - - 1772323200 1772323260 - NODATA`,
      `2 ${ACCOUNT} eni-2 - - - - - - - 1772323200 1772323260 - SKIPDATA`,
      `2 ${ACCOUNT} eni-1 203.0.113.12 172.31.16.139 0 0 1 4 336 1772323200 1772323260 REJECT OK`,
      `2 ${ACCOUNT} eni-1 203.0.113.12 172.31.16.139 0 0 1 4`,
      `2 ${ACCOUNT} eni-1 10.0.0.1 10.0.0.2 443 ${'9'.repeat(1_100_000)} 6 1 1 1772323200 1772323260 ACCEPT OK`,
    ];
    lab.write(flowKey('A'), lines.join('\n') + '\n');
    const report = await ingestPaths(lab.db, [`${lab.dir}/in`], jobContext());
    expect(report.events.vpcflow).toBe(5);
    const file = byName(await fileRows(lab.db), 'A.log.gz');
    expect(file).toMatchObject({
      type: 'vpcflow',
      status: 'loaded',
      records: 5,
      account_id: ACCOUNT,
      region: 'eu-west-1',
    });
    expect(file.reason).toMatch(/1 line was skipped \(wrong number of fields; first at line 6\)/);
    const rows = await lab.db.all<Record<string, unknown>>(
      `SELECT event_uid, srcaddr, dstport, protocol, bytes, iso_ts(start_time) AS start, action, log_status, region, position FROM vpcflow ORDER BY position`,
    );
    const fileId = String(rows[0]?.['event_uid']).split(':')[0];
    expect(rows.slice(0, 4)).toEqual([
      {
        event_uid: `${fileId}:2`,
        srcaddr: '2001:db8::1',
        dstport: 22,
        protocol: 6,
        bytes: '8855',
        start: '2026-03-01T00:00:00.000Z',
        action: 'ACCEPT',
        log_status: 'OK',
        region: 'eu-west-1',
        position: 2,
      },
      {
        event_uid: `${fileId}:3`,
        srcaddr: null,
        dstport: null,
        protocol: null,
        bytes: null,
        start: '2026-03-01T00:00:00.000Z',
        action: null,
        log_status: 'NODATA',
        region: 'eu-west-1',
        position: 3,
      },
      {
        event_uid: `${fileId}:4`,
        srcaddr: null,
        dstport: null,
        protocol: null,
        bytes: null,
        start: '2026-03-01T00:00:00.000Z',
        action: null,
        log_status: 'SKIPDATA',
        region: 'eu-west-1',
        position: 4,
      },
      {
        event_uid: `${fileId}:5`,
        srcaddr: '203.0.113.12',
        dstport: 0,
        protocol: 1,
        bytes: '336',
        start: '2026-03-01T00:00:00.000Z',
        action: 'REJECT',
        log_status: 'OK',
        region: 'eu-west-1',
        position: 5,
      },
    ]);
    // The 1 MB line is a record with an absurd port: kept, the port is NULL, nothing else breaks.
    expect(rows[4]).toMatchObject({ position: 7, dstport: null, srcaddr: '10.0.0.1' });
  });

  it('reads custom formats by their header (repeated inside the file) and header-less files with a given format', async () => {
    const header =
      'version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status flow-direction';
    const rec = (port: number) =>
      `3 vpc-1 subnet-1 i-0123 eni-1 ${ACCOUNT} IPv4 52.1.1.1 10.0.0.62 43416 ${port} 52.1.1.1 10.0.0.62 6 568 8 1772323200 1772323260 ACCEPT 2 OK ingress`;
    lab.write(flowKey('CUSTOM'), [header, rec(5001), header, rec(5002)].join('\n'));
    const v5 = 'srcaddr dstaddr dstport action start end bytes packets protocol srcport';
    lab.write('headerless/flows.log', '198.51.100.1 10.0.0.9 22 REJECT 1772323200 1772323260 40 1 6 50000\n');
    const report = await ingestPaths(lab.db, [`${lab.dir}/in`], jobContext(), { flowFormat: v5 });
    expect(report.failures).toEqual([]);
    expect(report.events.vpcflow).toBe(3);
    const rows = await lab.db.all<Record<string, unknown>>(
      `SELECT dstport, instance_id, tcp_flags, flow_direction, version, srcport, position FROM vpcflow ORDER BY file_id, position`,
    );
    expect(rows).toEqual([
      {
        dstport: 5001,
        instance_id: 'i-0123',
        tcp_flags: 2,
        flow_direction: 'ingress',
        version: 3,
        srcport: 43416,
        position: 2,
      },
      {
        dstport: 5002,
        instance_id: 'i-0123',
        tcp_flags: 2,
        flow_direction: 'ingress',
        version: 3,
        srcport: 43416,
        position: 4,
      },
      {
        dstport: 22,
        instance_id: null,
        tcp_flags: null,
        flow_direction: null,
        version: null,
        srcport: 50000,
        position: 1,
      },
    ]);
  });

  it('keeps the v5-v8 fields nothing reads in extra: only those with a value, NULL when none has', async () => {
    const header =
      'version srcaddr dstaddr srcport dstport protocol start end action log-status flow-direction traffic-path sublocation-type pkt-dst-aws-service ecs-cluster-name ecs-task-id';
    const rec = (tail: string) => `8 10.0.0.5 52.94.1.1 40000 443 6 1772323200 1772323260 ACCEPT OK egress ${tail}`;
    const lines = [header, rec('1 outpost S3 prod-cluster 0a1b2c'), rec('- - - - -'), rec('3 - EC2 - -')];
    lab.write(flowKey('V8'), lines.join('\n') + '\n');
    // The same records plus one short line: this file takes the tolerant, line-by-line path.
    lab.write(flowKey('V8BAD'), [...lines, '8 10.0.0.5 52.94.1.1'].join('\n') + '\n');
    const report = await ingestPaths(lab.db, [`${lab.dir}/in`], jobContext());
    expect(report.events.vpcflow).toBe(6);
    const rows = await lab.db.all<{ path: string; position: number; flow_direction: string; extra: string | null }>(
      `SELECT f.path, v.position, v.flow_direction, v.extra::VARCHAR AS extra
       FROM vpcflow v JOIN files f USING (file_id) ORDER BY f.path, v.position`,
    );
    const expected = [
      {
        traffic_path: 1,
        sublocation_type: 'outpost',
        pkt_dst_aws_service: 'S3',
        ecs_cluster_name: 'prod-cluster',
        ecs_task_id: '0a1b2c',
      },
      null,
      { traffic_path: 3, pkt_dst_aws_service: 'EC2' },
    ];
    for (const name of ['V8.log.gz', 'V8BAD.log.gz']) {
      const mine = rows.filter((r) => r.path.endsWith(`_${name}`));
      expect(mine.map((r) => [r.position, r.flow_direction])).toEqual([
        [2, 'egress'],
        [3, 'egress'],
        [4, 'egress'],
      ]);
      expect(mine.map((r) => (r.extra === null ? null : (JSON.parse(r.extra) as unknown)))).toEqual(expected);
    }
    const bad = byName(await fileRows(lab.db), 'V8BAD.log.gz');
    expect(bad.reason).toMatch(/1 line was skipped \(wrong number of fields; first at line 5\)/);
    // The moved fields are not columns any more; everything else still is.
    const columns = await lab.db.all<{ name: string }>(
      `SELECT column_name AS name FROM duckdb_columns() WHERE table_name = 'vpcflow'`,
    );
    const names = columns.map((c) => c.name);
    expect(names).toContain('extra');
    expect(names).toContain('flow_direction');
    expect(names).not.toContain('ecs_cluster_name');
    expect(names).not.toContain('traffic_path');
  });

  it('fails a header-less custom file when no format is given, naming the way out', async () => {
    lab.write(flowKey('NOHDR'), `3 vpc-1 eni-1 ${ACCOUNT} 52.1.1.1 10.0.0.62 43416 5001\n`);
    const report = await ingestPaths(lab.db, [`${lab.dir}/in`], jobContext());
    expect(report.failures).toEqual([
      expect.objectContaining({
        status: 'failed',
        reason: expect.stringMatching(/custom format \(8 fields per record\) and no flow format was given/),
      }),
    ]);
    await expect(
      ingestPaths(lab.db, [`${lab.dir}/in`], jobContext(), { flowFormat: 'version bogus-field' }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('reads flow logs delivered as Parquet', async () => {
    const dir = join(
      lab.dir,
      'in',
      `AWSLogs/aws-account-id=${ACCOUNT}/aws-service=vpcflowlogs/aws-region=us-west-2/year=2026/month=03/day=01`,
    );
    lab.write(
      `AWSLogs/aws-account-id=${ACCOUNT}/aws-service=vpcflowlogs/aws-region=us-west-2/year=2026/month=03/day=01/.keep`,
      '',
    );
    const out = join(dir, 'flows.log.parquet');
    // Test-only SQL: the path is our own temp dir, and COPY takes no bound parameters.
    await lab.db.run(
      `COPY (SELECT 5 AS version, '${ACCOUNT}' AS account_id, 'eni-9' AS interface_id, '10.1.1.1' AS srcaddr, '8.8.8.8' AS dstaddr,
             1234 AS srcport, 53 AS dstport, 17 AS protocol, 2::BIGINT AS packets, 120::BIGINT AS bytes,
             1772323200::BIGINT AS "start", 1772323260::BIGINT AS "end", 'ACCEPT' AS action, 'OK' AS log_status, 'egress' AS flow_direction,
             CASE WHEN range = 0 THEN 'svc-a' END AS ecs_service_name
            FROM range(3)) TO '${out}' (FORMAT parquet)`,
    );
    const report = await ingestPaths(lab.db, [join(lab.dir, 'in')], jobContext());
    expect(report.events.vpcflow).toBe(3);
    const file = byName(await fileRows(lab.db), 'flows.log.parquet');
    expect(file).toMatchObject({
      type: 'vpcflow',
      status: 'loaded',
      records: 3,
      account_id: ACCOUNT,
      region: 'us-west-2',
    });
    const row = await lab.db.one<Record<string, unknown>>(
      `SELECT dstaddr, dstport, flow_direction, region, iso_ts(end_time) AS e, position, extra::VARCHAR AS extra
       FROM vpcflow ORDER BY position LIMIT 1`,
    );
    expect(row).toEqual({
      dstaddr: '8.8.8.8',
      dstport: 53,
      flow_direction: 'egress',
      region: 'us-west-2',
      e: '2026-03-01T00:01:00.000Z',
      position: 1,
      extra: '{"ecs_service_name":"svc-a"}',
    });
    const rest = await lab.db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM vpcflow WHERE extra IS NULL`);
    expect(rest?.n).toBe(2);
  });
});

describe('Route 53 Resolver query logs', () => {
  it('loads every field, answers, srcids and DNS Firewall fields, with line numbers', async () => {
    const q = (name: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        version: '1.100000',
        account_id: ACCOUNT,
        region: 'eu-west-1',
        vpc_id: 'vpc-0abc',
        query_timestamp: '2026-03-01T10:00:00Z',
        query_name: name,
        query_type: 'A',
        query_class: 'IN',
        rcode: 'NOERROR',
        answers: [{ Rdata: '203.0.113.5', Type: 'A', Class: 'IN' }],
        srcaddr: '10.0.0.5',
        srcport: '53211',
        transport: 'UDP',
        srcids: { instance: 'i-0aaa' },
        ...extra,
      });
    // No trailing newline on the last line, as AWS writes them; one broken line in the middle.
    lab.write(
      dnsKey('Q'),
      [
        q('example.com.'),
        '{"broken": ',
        q('evil.example.', {
          firewall_rule_action: 'BLOCK',
          firewall_rule_group_id: 'rslvr-frg-1',
          firewall_domain_list_id: 'rslvr-fdl-1',
        }),
      ].join('\n'),
    );
    const report = await ingestPaths(lab.db, [`${lab.dir}/in`], jobContext());
    expect(report.events.dns).toBe(2);
    expect(byName(await fileRows(lab.db), 'Q.log.gz').reason).toMatch(
      /1 line was skipped \(lines that are not a JSON object; first at line 2\)/,
    );
    const rows = await lab.db.all<Record<string, unknown>>(
      `SELECT query_name, iso_ts(query_time) AS t, srcport, instance_id, (answers -> 0 ->> 'Rdata') AS rdata, firewall_rule_action, account_id, position FROM dns ORDER BY position`,
    );
    expect(rows).toEqual([
      {
        query_name: 'example.com.',
        t: '2026-03-01T10:00:00.000Z',
        srcport: 53211,
        instance_id: 'i-0aaa',
        rdata: '203.0.113.5',
        firewall_rule_action: null,
        account_id: ACCOUNT,
        position: 1,
      },
      {
        query_name: 'evil.example.',
        t: '2026-03-01T10:00:00.000Z',
        srcport: 53211,
        instance_id: 'i-0aaa',
        rdata: '203.0.113.5',
        firewall_rule_action: 'BLOCK',
        account_id: ACCOUNT,
        position: 3,
      },
    ]);
  });
});
