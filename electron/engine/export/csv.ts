import type { GuardDutyFinding } from '../../../shared/findings/guardduty';
import type { CaseState } from '../workspace/case-state';
import { analystView } from './case-context';
import { factsOf } from './finding-facts';

/**
 * One row per finding, RFC 4180: every field quoted when it holds a comma, quote, CR or LF,
 * quotes doubled, CRLF line ends, UTF-8 with a BOM so spreadsheet programs pick the encoding.
 * Log values are attacker-controlled (user agents, session names), so text cells that a
 * spreadsheet would run as a formula are prefixed with an apostrophe (OWASP CSV injection).
 */
export const CSV_COLUMNS = [
  'id',
  'type',
  'severity',
  'severity_label',
  'title',
  'account_id',
  'region',
  'resource_type',
  'resource_id',
  'resource_role',
  'action_type',
  'api',
  'remote_ip',
  'remote_port',
  'local_port',
  'domain',
  'user_name',
  'access_key_id',
  'count',
  'first_seen',
  'last_seen',
  'created_at',
  'updated_at',
  'archived',
  'status',
  'tags',
  'arn',
  'description',
] as const;

type Cell = string | number | boolean | null | undefined;

export function csvCell(value: Cell, neutralizeFormulas = true): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (neutralizeFormulas && typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: readonly Cell[]): string {
  return cells.map((c) => csvCell(c)).join(',') + '\r\n';
}

export function csvHeader(): string {
  return '\ufeff' + csvLine([...CSV_COLUMNS]);
}

export function csvRow(f: GuardDutyFinding, caseState?: CaseState): string {
  const facts = factsOf(f);
  const view = analystView(caseState, f.id);
  const row: Record<(typeof CSV_COLUMNS)[number], Cell> = {
    id: f.id,
    type: f.type,
    severity: f.severity,
    severity_label: facts.severityLabel,
    title: f.title,
    account_id: f.accountId,
    region: f.region,
    resource_type: facts.resourceType,
    resource_id: facts.resourceId,
    resource_role: facts.resourceRole,
    action_type: facts.actionType,
    api: facts.api,
    remote_ip: facts.remoteIp,
    remote_port: facts.remotePort,
    local_port: facts.localPort,
    domain: facts.domain,
    user_name: facts.userName,
    access_key_id: facts.accessKeyId,
    count: f.service?.count,
    first_seen: f.service?.eventFirstSeen,
    last_seen: f.service?.eventLastSeen,
    created_at: f.createdAt,
    updated_at: f.updatedAt,
    archived: f.service?.archived ?? false,
    status: view.status,
    tags: view.tags.join(';'),
    arn: f.arn,
    description: f.description,
  };
  return csvLine(CSV_COLUMNS.map((c) => row[c]));
}
