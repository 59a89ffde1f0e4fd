import type { FilterCondition } from '../../../shared/api/schemas';

/**
 * GuardDuty filter criteria (suppression rules) for people: a readable line per condition, and
 * the editor's flat rows (attribute, operator, values) to and from the criterion object. The
 * engine accepts GuardDuty's long operator names too (`equals`, `greaterThan`...); the editor
 * shows them as the short ones.
 */
export type EditorOp = 'eq' | 'neq' | 'matches' | 'notMatches' | 'gt' | 'gte' | 'lt' | 'lte';
export type Criterion = Record<string, FilterCondition>;

export interface CriterionRow {
  attribute: string;
  op: EditorOp;
  /** Comma-separated values (one number for the comparisons). */
  values: string;
}

export const EDITOR_OPS: ReadonlyArray<{ op: EditorOp; label: string }> = [
  { op: 'eq', label: 'is' },
  { op: 'neq', label: 'is not' },
  { op: 'matches', label: 'matches (* ?)' },
  { op: 'notMatches', label: 'does not match' },
  { op: 'gte', label: '≥' },
  { op: 'gt', label: '>' },
  { op: 'lte', label: '≤' },
  { op: 'lt', label: '<' },
];

const NUMERIC = new Set<EditorOp>(['gt', 'gte', 'lt', 'lte']);

const CANONICAL: Record<keyof FilterCondition, EditorOp> = {
  eq: 'eq',
  equals: 'eq',
  neq: 'neq',
  notEquals: 'neq',
  matches: 'matches',
  notMatches: 'notMatches',
  gt: 'gt',
  greaterThan: 'gt',
  gte: 'gte',
  greaterThanOrEqual: 'gte',
  lt: 'lt',
  lessThan: 'lt',
  lte: 'lte',
  lessThanOrEqual: 'lte',
};

/** GuardDuty attribute names responders filter on most, with the words the console uses. */
export const COMMON_ATTRIBUTES: ReadonlyArray<{ attribute: string; label: string }> = [
  { attribute: 'type', label: 'Finding type' },
  { attribute: 'severity', label: 'Severity' },
  { attribute: 'accountId', label: 'Account ID' },
  { attribute: 'region', label: 'Region' },
  { attribute: 'resource.resourceType', label: 'Resource type' },
  { attribute: 'resource.accessKeyDetails.accessKeyId', label: 'Access key ID' },
  { attribute: 'resource.accessKeyDetails.userName', label: 'User name' },
  { attribute: 'resource.accessKeyDetails.principalId', label: 'Principal ID' },
  { attribute: 'resource.instanceDetails.instanceId', label: 'Instance ID' },
  { attribute: 'resource.instanceDetails.tags.key', label: 'Instance tag key' },
  { attribute: 'resource.instanceDetails.tags.value', label: 'Instance tag value' },
  { attribute: 'resource.s3BucketDetails.name', label: 'S3 bucket name' },
  { attribute: 'service.action.actionType', label: 'Action type' },
  { attribute: 'service.action.awsApiCallAction.api', label: 'API called' },
  { attribute: 'service.action.awsApiCallAction.serviceName', label: 'API service' },
  { attribute: 'service.action.awsApiCallAction.remoteIpDetails.ipAddressV4', label: 'API caller IPv4' },
  { attribute: 'service.action.awsApiCallAction.remoteIpDetails.organization.asn', label: 'API caller ASN' },
  { attribute: 'service.action.networkConnectionAction.remoteIpDetails.ipAddressV4', label: 'Remote IPv4' },
  { attribute: 'service.action.networkConnectionAction.localPortDetails.port', label: 'Local port' },
  { attribute: 'service.action.dnsRequestAction.domain', label: 'DNS domain' },
  { attribute: 'service.additionalInfo.threatListName', label: 'Threat list name' },
];

const LABELS = new Map(COMMON_ATTRIBUTES.map((a) => [a.attribute, a.label]));

export function attributeLabel(attribute: string): string {
  return LABELS.get(attribute) ?? attribute;
}

function describeOne(op: EditorOp, value: string[] | number): string {
  if (typeof value === 'number') {
    const sign = { gt: '>', gte: '≥', lt: '<', lte: '≤' }[op as 'gt'] ?? op;
    return `${sign} ${value}`;
  }
  const many = value.length > 1;
  const list = value.join(', ');
  switch (op) {
    case 'eq':
      return many ? `is one of ${list}` : `is ${list}`;
    case 'neq':
      return many ? `is none of ${list}` : `is not ${list}`;
    case 'matches':
      return many ? `matches any of ${list}` : `matches ${list}`;
    case 'notMatches':
      return many ? `matches none of ${list}` : `does not match ${list}`;
    default:
      return `${op} ${list}`;
  }
}

/** One readable line per attribute: "Finding type is Recon:EC2/PortProbeUnprotectedPort". */
export function describeCriterion(criterion: Criterion): string[] {
  return Object.entries(criterion).map(([attribute, condition]) => {
    const parts = (Object.entries(condition) as Array<[keyof FilterCondition, string[] | number | undefined]>)
      .filter((e): e is [keyof FilterCondition, string[] | number] => e[1] !== undefined)
      .map(([name, value]) => describeOne(CANONICAL[name], value));
    return `${attributeLabel(attribute)} ${parts.join(' and ')}`;
  });
}

export function criterionToRows(criterion: Criterion): CriterionRow[] {
  const rows: CriterionRow[] = [];
  for (const [attribute, condition] of Object.entries(criterion)) {
    for (const [name, value] of Object.entries(condition) as Array<[keyof FilterCondition, string[] | number]>) {
      if (value === undefined) continue;
      rows.push({
        attribute,
        op: CANONICAL[name],
        values: Array.isArray(value) ? value.join(', ') : String(value),
      });
    }
  }
  return rows;
}

/** The editor's rows as a criterion, or the first reason they are not one. */
export function rowsToCriterion(rows: readonly CriterionRow[]): { criterion: Criterion } | { error: string } {
  const criterion: Record<string, Record<string, string[] | number>> = {};
  const used = rows.filter((r) => r.attribute.trim() !== '' || r.values.trim() !== '');
  if (used.length === 0) return { error: 'Add at least one condition.' };
  for (const [i, row] of used.entries()) {
    const attribute = row.attribute.trim();
    const where = `Condition ${i + 1}`;
    if (!attribute) return { error: `${where}: choose an attribute.` };
    if (!/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/.test(attribute)) {
      return {
        error: `${where}: "${attribute}" is not a finding attribute (dotted names like resource.instanceDetails.instanceId).`,
      };
    }
    const condition = (criterion[attribute] ??= {});
    if (condition[row.op] !== undefined) return { error: `${where}: ${attribute} already has this operator.` };
    if (NUMERIC.has(row.op)) {
      const n = Number(row.values.trim());
      if (row.values.trim() === '' || !Number.isFinite(n)) return { error: `${where}: ${row.op} needs one number.` };
      condition[row.op] = n;
    } else {
      const values = row.values
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      if (values.length === 0) return { error: `${where}: give at least one value.` };
      if (values.length > 50) return { error: `${where}: at most 50 values.` };
      condition[row.op] = values;
    }
  }
  if (Object.keys(criterion).length > 50) return { error: 'At most 50 attributes.' };
  return { criterion: criterion as Criterion };
}

/** Account ids typed as a list: every one must be 12 digits. */
export function parseAccounts(text: string): { accounts: string[] | undefined } | { error: string } {
  const ids = text
    .split(/[\s,]+/)
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (ids.length === 0) return { accounts: undefined };
  const bad = ids.find((id) => !/^\d{12}$/.test(id));
  if (bad) return { error: `"${bad}" is not a 12-digit AWS account id.` };
  return { accounts: [...new Set(ids)] };
}
