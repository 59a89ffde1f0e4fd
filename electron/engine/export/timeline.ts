import type { GuardDutyFinding } from '../../../shared/findings/guardduty';
import type { CaseState } from '../workspace/case-state';
import { analystView } from './case-context';
import { factsOf } from './finding-facts';

/**
 * Timesketch JSONL: every line has `message`, `datetime` (ISO 8601, UTC), `timestamp`
 * (microseconds since the epoch) and `timestamp_desc`, then flat fields. A finding gives one
 * line when first seen and one when last seen; its evidence events come from SQL
 * (evidence.ts `timelineSources`) with the finding ids they support, so a sketch can pivot
 * from a finding to its events and back.
 */
function micros(iso: string | undefined): { datetime: string; timestamp: number } | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : { datetime: new Date(t).toISOString(), timestamp: t * 1000 };
}

export function findingTimelineLines(f: GuardDutyFinding, caseState?: CaseState): string[] {
  const facts = factsOf(f);
  const view = analystView(caseState, f.id);
  const fields = {
    data_type: 'loupe:guardduty:finding',
    source: 'finding',
    finding_id: f.id,
    finding_type: f.type,
    severity: f.severity,
    severity_label: facts.severityLabel,
    title: f.title,
    account_id: f.accountId,
    region: f.region,
    resource_type: facts.resourceType,
    resource_id: facts.resourceId,
    resource_role: facts.resourceRole,
    remote_ip: facts.remoteIp,
    domain: facts.domain,
    api: facts.api,
    count: f.service?.count,
    status: view.status,
    tags: view.tags,
    archived: f.service?.archived ?? false,
  };
  const message = `[${facts.severityLabel} ${f.severity}] ${f.type}: ${f.title}`;
  const first = micros(f.service?.eventFirstSeen);
  const last = micros(f.service?.eventLastSeen);
  const lines: string[] = [];
  if (first) lines.push(JSON.stringify({ message, ...first, timestamp_desc: 'Finding First Seen', ...fields }));
  if (last && (!first || last.timestamp !== first.timestamp)) {
    lines.push(JSON.stringify({ message, ...last, timestamp_desc: 'Finding Last Seen', ...fields }));
  }
  return lines;
}
