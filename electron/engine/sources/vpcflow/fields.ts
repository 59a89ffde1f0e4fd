import { LoupeError } from '../../../../shared/errors';
import { FLOW_EXTRA_COLUMNS } from '../../db/schema-events';

/**
 * Every VPC Flow Logs field AWS documents (v2 to v8), its column in `vpcflow` and its type.
 * This list is the allow-list: flow SQL is generated from it and from nothing else.
 *
 * `extra` fields (sublocation, AWS service, traffic path, ECS: nothing in Loupe reads them) are
 * kept in the one JSON column `extra`, keyed by their column name, instead of a column each:
 * the default format leaves them all NULL, and an all-NULL text column costs DuckDB about
 * 0.28 s per 5M rows to store (measured; sources/README.md), where a NULL JSON column is free.
 */
export type FlowFieldType = 'int' | 'bigint' | 'text' | 'time';

export interface FlowField {
  name: string;
  column: string;
  type: FlowFieldType;
  /** Kept as a key of the `extra` JSON column, not as a column of its own. */
  extra: boolean;
}

const f = (name: string, type: FlowFieldType, column = name.replace(/-/g, '_')): FlowField => ({
  name,
  column,
  type,
  extra: FLOW_EXTRA_COLUMNS.includes(column),
});

export const FLOW_FIELDS: readonly FlowField[] = [
  f('version', 'int'),
  f('account-id', 'text'),
  f('interface-id', 'text'),
  f('srcaddr', 'text'),
  f('dstaddr', 'text'),
  f('srcport', 'int'),
  f('dstport', 'int'),
  f('protocol', 'int'),
  f('packets', 'bigint'),
  f('bytes', 'bigint'),
  f('start', 'time', 'start_time'),
  f('end', 'time', 'end_time'),
  f('action', 'text'),
  f('log-status', 'text'),
  f('vpc-id', 'text'),
  f('subnet-id', 'text'),
  f('instance-id', 'text'),
  f('tcp-flags', 'int'),
  f('type', 'text'),
  f('pkt-srcaddr', 'text'),
  f('pkt-dstaddr', 'text'),
  f('region', 'text'),
  f('az-id', 'text'),
  f('sublocation-type', 'text'),
  f('sublocation-id', 'text'),
  f('pkt-src-aws-service', 'text'),
  f('pkt-dst-aws-service', 'text'),
  f('flow-direction', 'text'),
  f('traffic-path', 'int'),
  f('ecs-cluster-arn', 'text'),
  f('ecs-cluster-name', 'text'),
  f('ecs-container-instance-arn', 'text'),
  f('ecs-container-instance-id', 'text'),
  f('ecs-container-id', 'text'),
  f('ecs-second-container-id', 'text'),
  f('ecs-service-name', 'text'),
  f('ecs-task-definition-arn', 'text'),
  f('ecs-task-arn', 'text'),
  f('ecs-task-id', 'text'),
  f('reject-reason', 'text'),
];

/** The fields kept in `extra`. */
export const EXTRA_FLOW_FIELDS: readonly FlowField[] = FLOW_FIELDS.filter((field) => field.extra);

export const FLOW_FIELD_BY_NAME: ReadonlyMap<string, FlowField> = new Map(FLOW_FIELDS.map((x) => [x.name, x]));

/** The default (version 2) format: what a flow log without a custom format writes. */
export const DEFAULT_FLOW_FORMAT: readonly string[] = FLOW_FIELDS.slice(0, 14).map((x) => x.name);

/** "All fields" up to v5 in the documented order: the console's preset for a full custom format. */
export const ALL_V5_FLOW_FORMAT: readonly string[] = FLOW_FIELDS.slice(0, 29).map((x) => x.name);

/** A header token or format element as a field name: `${srcaddr}` and `srcaddr` both work. */
function fieldName(token: string): string {
  return token.replace(/^\$\{/, '').replace(/\}$/, '').trim().toLowerCase().replace(/_/g, '-');
}

/** The fields of a header line, or null if any token is not a flow log field. */
export function parseFlowHeader(line: string): string[] | null {
  const tokens = line.trim().split(/\s+/).map(fieldName);
  if (tokens.length < 2 || !tokens.every((t) => FLOW_FIELD_BY_NAME.has(t))) return null;
  return tokens;
}

/** Parses the `flowFormat` option (a header line or an AWS `${field}` format string). */
export function parseFlowFormatOption(format: string): string[] {
  const fields = parseFlowHeader(format);
  if (!fields) {
    const unknown = format
      .trim()
      .split(/\s+/)
      .map(fieldName)
      .filter((t) => !FLOW_FIELD_BY_NAME.has(t));
    throw new LoupeError(
      'INVALID_INPUT',
      `The flow log format "${format.slice(0, 200)}" names fields VPC Flow Logs does not have: ${unknown.slice(0, 5).join(', ')}.`,
      {
        hint: 'Give the header line of the flow log, e.g. "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status".',
      },
    );
  }
  return fields;
}
