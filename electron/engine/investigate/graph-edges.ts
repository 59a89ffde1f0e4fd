import type { EntityKind, SourceName } from '../../../shared/api/investigate';
import type { ResolvedSource } from './sources';

/**
 * Relationship edges, extracted in SQL from the event tables. Each definition is a constant
 * fragment over the table aliased `t`; the entity values land in the graph with the same
 * spelling the scope predicates and finding entities use (role ARN for sessions, domain in
 * lower case without the trailing dot).
 */
export interface EdgeDef {
  source: SourceName;
  needs: readonly string[];
  /** Tells apart definitions of the same relation that read different columns. */
  variant?: string;
  srcKind: EntityKind;
  src: string;
  dstKind: EntityKind;
  dst: string;
  relation: string;
  where: string;
}

export const PRINCIPAL = 'coalesce(t.session_issuer_arn, t.principal_arn)';
const IS_IP = `(ip4_to_int(t.source_ip) IS NOT NULL OR contains(t.source_ip, ':'))`;
/**
 * Private, loopback, link-local, CGNAT, multicast/reserved IPv4 (the ranges of the
 * ip4_is_private macro) and IPv6 ULA/link-local/loopback, as ONE regex on the text. The macros
 * expand ip4_to_int once per use of its argument; over millions of flow rows, with the address
 * repeated by filter pushdown, that expansion cost seconds to minutes.
 */
const NOT_PUBLIC = `'^(10\\.|127\\.|0\\.|169\\.254\\.|192\\.168\\.|172\\.(1[6-9]|2[0-9]|3[01])\\.|100\\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\\.|2(2[4-9]|[3-5][0-9])\\.|[fF][cCdD]|[fF][eE]80|::1$)'`;
export const isPublic = (column: string) =>
  `(${column} IS NOT NULL AND (contains(${column}, '.') OR contains(${column}, ':')) AND NOT regexp_matches(${column}, ${NOT_PUBLIC}))`;
const INSTANCE_SESSION = `(t.principal_type = 'AssumedRole' AND regexp_full_match(t.session_name, 'i-[0-9a-f]{8,17}'))`;

const EDGES: readonly EdgeDef[] = [
  {
    source: 'cloudtrail',
    needs: ['principal_arn', 'session_issuer_arn', 'source_ip'],
    srcKind: 'principal',
    src: PRINCIPAL,
    dstKind: 'ip',
    dst: 't.source_ip',
    relation: `'called from'`,
    where: IS_IP,
  },
  {
    source: 'cloudtrail',
    needs: ['principal_arn', 'session_issuer_arn', 'access_key_id'],
    srcKind: 'principal',
    src: PRINCIPAL,
    dstKind: 'accessKey',
    dst: 't.access_key_id',
    relation: `'used key'`,
    where: 'true',
  },
  {
    source: 'cloudtrail',
    needs: ['principal_arn', 'session_issuer_arn', 'event_name', 'request_parameters', 'error_code'],
    srcKind: 'principal',
    src: PRINCIPAL,
    dstKind: 'principal',
    dst: `(t.request_parameters->>'roleArn')`,
    relation: `'assumed'`,
    where: `t.event_name IN ('AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity') AND t.error_code IS NULL`,
  },
  {
    source: 'cloudtrail',
    needs: ['principal_type', 'session_name', 'session_issuer_arn'],
    srcKind: 'instance',
    src: 't.session_name',
    dstKind: 'principal',
    dst: 't.session_issuer_arn',
    relation: `'instance role'`,
    where: INSTANCE_SESSION,
  },
  {
    source: 'cloudtrail',
    needs: ['principal_arn', 'session_issuer_arn', 'bucket_name', 'request_parameters', 'read_only'],
    srcKind: 'principal',
    src: PRINCIPAL,
    dstKind: 'bucket',
    dst: `coalesce(t.bucket_name, (t.request_parameters->>'bucketName'))`,
    relation: `CASE WHEN t.read_only THEN 'read' ELSE 'wrote' END`,
    where: 'true',
  },
  {
    source: 'cloudtrail',
    needs: ['principal_arn', 'session_issuer_arn', 'account_id', 'recipient_account_id'],
    srcKind: 'principal',
    src: PRINCIPAL,
    dstKind: 'account',
    dst: 'coalesce(t.account_id, t.recipient_account_id)',
    relation: `'in account'`,
    where: 'true',
  },
  // The remote side of a flow is whichever address is public; one definition per side keeps
  // the address a plain column (the rows of both sides are summed per pair below).
  ...(['dstaddr', 'srcaddr'] as const).flatMap((side): EdgeDef[] => [
    {
      source: 'vpcflow',
      needs: ['instance_id', 'interface_id', 'srcaddr', 'dstaddr'],
      variant: side,
      srcKind: 'instance',
      src: 'coalesce(t.instance_id, t.interface_id)',
      dstKind: 'ip',
      dst: `t.${side}`,
      relation: `'connected to'`,
      where: isPublic(`t.${side}`),
    },
    {
      source: 'vpcflow',
      needs: ['interface_id', 'srcaddr', 'dstaddr'],
      variant: side,
      srcKind: 'instance',
      src: 't.interface_id',
      dstKind: 'ip',
      dst: `t.${side}`,
      relation: `'connected to'`,
      where: isPublic(`t.${side}`),
    },
  ]),
  {
    source: 'dns',
    needs: ['instance_id', 'query_name'],
    srcKind: 'instance',
    src: 't.instance_id',
    dstKind: 'domain',
    dst: `rtrim(lower(t.query_name), '.')`,
    relation: `'resolved'`,
    where: 'true',
  },
  {
    source: 'dns',
    needs: ['srcids_instance', 'query_name'],
    srcKind: 'instance',
    src: 't.srcids_instance',
    dstKind: 'domain',
    dst: `rtrim(lower(t.query_name), '.')`,
    relation: `'resolved'`,
    where: 'true',
  },
];

/** One definition per (source, relation kind): the first whose columns exist wins. */
export function edgeDefsFor(sources: ResolvedSource[]): Array<EdgeDef & { resolved: ResolvedSource }> {
  const out: Array<EdgeDef & { resolved: ResolvedSource }> = [];
  const taken = new Set<string>();
  for (const def of EDGES) {
    const resolved = sources.find((s) => s.source === def.source);
    if (!resolved || !def.needs.every((n) => resolved.columns.has(n))) continue;
    const slot = `${def.source}:${def.srcKind}:${def.dstKind}:${def.relation}:${def.variant ?? ''}`;
    if (taken.has(slot)) continue;
    taken.add(slot);
    out.push({ ...def, resolved });
  }
  return out;
}
