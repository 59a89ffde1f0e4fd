import { afterEach, describe, expect, it } from 'vitest';
import { Database } from '../../../electron/engine/db/database';
import { migrate, SCHEMA_VERSION } from '../../../electron/engine/db/schema';
import { FLOW_EXTRA_COLUMNS } from '../../../electron/engine/db/schema-events';

let db: Database | undefined;
afterEach(() => db?.close());

/** vpcflow as schema version 2 made it: one column per field. */
const V2_VPCFLOW = `CREATE TABLE vpcflow (
  event_uid VARCHAR NOT NULL, version INTEGER, account_id VARCHAR, interface_id VARCHAR, srcaddr VARCHAR, dstaddr VARCHAR,
  srcport INTEGER, dstport INTEGER, protocol INTEGER, packets BIGINT, bytes BIGINT, start_time TIMESTAMPTZ, end_time TIMESTAMPTZ,
  action VARCHAR, log_status VARCHAR, vpc_id VARCHAR, subnet_id VARCHAR, instance_id VARCHAR, tcp_flags INTEGER, type VARCHAR,
  pkt_srcaddr VARCHAR, pkt_dstaddr VARCHAR, region VARCHAR, az_id VARCHAR, sublocation_type VARCHAR, sublocation_id VARCHAR,
  pkt_src_aws_service VARCHAR, pkt_dst_aws_service VARCHAR, flow_direction VARCHAR, traffic_path INTEGER,
  ecs_cluster_arn VARCHAR, ecs_cluster_name VARCHAR, ecs_container_instance_arn VARCHAR, ecs_container_instance_id VARCHAR,
  ecs_container_id VARCHAR, ecs_second_container_id VARCHAR, ecs_service_name VARCHAR, ecs_task_definition_arn VARCHAR,
  ecs_task_arn VARCHAR, ecs_task_id VARCHAR, reject_reason VARCHAR, file_id INTEGER NOT NULL, position INTEGER NOT NULL)`;

async function columns(d: Database): Promise<string[]> {
  const rows = await d.all<{ name: string }>(
    `SELECT column_name AS name FROM duckdb_columns() WHERE table_name = 'vpcflow' ORDER BY column_index`,
  );
  return rows.map((r) => r.name);
}

describe('migrate', () => {
  it("moves an older case's vpcflow extra fields into extra and drops their columns, once", async () => {
    db = await Database.open({ path: ':memory:' });
    await db.run(V2_VPCFLOW);
    await db.run(
      `INSERT INTO vpcflow (event_uid, srcaddr, flow_direction, traffic_path, ecs_cluster_name, reject_reason, file_id, position)
       VALUES ('1:2', '10.0.0.1', 'egress', 2, 'prod', NULL, 1, 2), ('1:3', '10.0.0.2', 'ingress', NULL, NULL, 'BPA', 1, 3)`,
    );
    await migrate(db);
    const after = await columns(db);
    for (const moved of FLOW_EXTRA_COLUMNS) expect(after).not.toContain(moved);
    expect(after).toEqual(expect.arrayContaining(['extra', 'flow_direction', 'reject_reason', 'srcaddr']));
    const rows = await db.all<{
      event_uid: string;
      flow_direction: string;
      reject_reason: string | null;
      extra: string | null;
    }>(`SELECT event_uid, flow_direction, reject_reason, extra::VARCHAR AS extra FROM vpcflow ORDER BY event_uid`);
    expect(rows.map((r) => ({ ...r, extra: r.extra === null ? null : (JSON.parse(r.extra) as unknown) }))).toEqual([
      {
        event_uid: '1:2',
        flow_direction: 'egress',
        reject_reason: null,
        extra: { traffic_path: 2, ecs_cluster_name: 'prod' },
      },
      { event_uid: '1:3', flow_direction: 'ingress', reject_reason: 'BPA', extra: null },
    ]);
    const version = await db.one<{ value: string }>(`SELECT value FROM meta WHERE key = 'schema_version'`);
    expect(version?.value).toBe(String(SCHEMA_VERSION));

    // Opening it again changes nothing.
    await migrate(db);
    expect(await columns(db)).toEqual(after);
    const again = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM vpcflow WHERE extra IS NOT NULL`);
    expect(again?.n).toBe(1);
  });

  it('creates vpcflow with extra and without the moved columns in a new case', async () => {
    db = await Database.open({ path: ':memory:' });
    await migrate(db);
    const made = await columns(db);
    expect(made).toContain('extra');
    expect(made.filter((c) => FLOW_EXTRA_COLUMNS.includes(c))).toEqual([]);
  });
});
