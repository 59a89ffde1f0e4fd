import type { SourceName, SourceTable } from './source-tables';

/**
 * The one-line summary of an event, per source, as constant SQL over the event alias `e`. The
 * evidence panel (`findings:evidence`) and the exports (timeline messages, report evidence)
 * both use it, so an event reads the same everywhere. A summary is used only when its table
 * has every column it names; otherwise `<source> event <uid>`. concat_ws skips NULL parts.
 */
const SUMMARIES: Record<SourceName, { requires: readonly string[]; sql: string }> = {
  cloudtrail: {
    requires: [
      'event_source',
      'event_name',
      'principal_arn',
      'principal_name',
      'principal_type',
      'source_ip',
      'error_code',
    ],
    sql: `concat_ws(' ', e.event_name, '(' || e.event_source || ')',
            'by ' || coalesce(e.principal_arn, e.principal_name, e.principal_type),
            'from ' || e.source_ip, '-> ' || e.error_code)`,
  },
  vpcflow: {
    requires: ['srcaddr', 'srcport', 'dstaddr', 'dstport', 'protocol', 'action', 'bytes', 'interface_id'],
    sql: `concat_ws(' ',
            CASE e.protocol WHEN 6 THEN 'TCP' WHEN 17 THEN 'UDP' WHEN 1 THEN 'ICMP' WHEN 58 THEN 'ICMPv6'
              ELSE 'proto ' || e.protocol END,
            e.srcaddr || coalesce(':' || e.srcport, ''), '->', e.dstaddr || coalesce(':' || e.dstport, ''),
            e.action, e.bytes || ' bytes', 'on ' || e.interface_id)`,
  },
  dns: {
    requires: ['query_name', 'query_type', 'rcode', 'srcaddr', 'instance_id', 'firewall_rule_action'],
    sql: `concat_ws(' ', e.query_type, e.query_name, '->', e.rcode,
            'from ' || coalesce(e.instance_id || ' (' || e.srcaddr || ')', e.srcaddr), 'firewall ' || e.firewall_rule_action)`,
  },
};

export function eventSummarySql(t: Pick<SourceTable, 'source' | 'columns'>): string {
  const s = SUMMARIES[t.source];
  return s.requires.every((c) => t.columns.has(c)) ? s.sql : `'${t.source} event ' || e.event_uid`;
}
