import { suppressionRuleSchema, type SuppressionRule } from '../../../shared/api/schemas';
import { LoupeError } from '../../../shared/errors';
import { readJsonFile, slug } from '../notify/rules-file';
import { describeIssues } from '../workspace/case-state';

/**
 * A suppression rules file (`loupe scan --suppress FILE`), in GuardDuty's own shapes so filters
 * can be copied from `aws guardduty get-filter`: one CreateFilter/GetFilter object
 * (`Name`, `Action`, `Rank`, `Description`, `FindingCriteria.Criterion`), a bare
 * `{ "Criterion": {...} }`, an array of them, `{ "Filters": [...] }`, or Loupe's own rules
 * (`name`, `criterion`, `accounts`). Filters whose Action is NOOP are saved views, not
 * suppressions, and are left out.
 */
export async function readSuppressionRules(path: string, now: Date = new Date()): Promise<SuppressionRule[]> {
  const raw = await readJsonFile(path, 'suppression rules');
  const items = listOf(raw);
  const rules: SuppressionRule[] = [];
  items.forEach((item, i) => {
    const rule = toRule(item, i, now);
    if (rule === 'noop') return;
    const parsed = suppressionRuleSchema.safeParse(rule);
    if (!parsed.success) {
      throw new LoupeError('INVALID_INPUT', `${path}: filter ${i + 1} is not valid: ${describeIssues(parsed.error)}.`, {
        hint: 'Write it as GuardDuty does: { "Name": "...", "Action": "ARCHIVE", "FindingCriteria": { "Criterion": { "type": { "Eq": ["..."] } } } }.',
      });
    }
    rules.push(parsed.data);
  });
  return rules;
}

function listOf(raw: unknown): unknown[] {
  if (Array.isArray(raw)) return raw;
  const record = asRecord(raw);
  for (const key of ['Filters', 'filters', 'rules', 'suppressionRules']) {
    if (Array.isArray(record[key])) return record[key] as unknown[];
  }
  return [raw];
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The same key in GuardDuty's PascalCase or Loupe's camelCase. */
function pick(record: Record<string, unknown>, name: string): unknown {
  return record[name] ?? record[name.charAt(0).toUpperCase() + name.slice(1)];
}

function toRule(item: unknown, index: number, now: Date): Record<string, unknown> | 'noop' {
  const record = asRecord(item);
  const action = pick(record, 'action');
  if (typeof action === 'string' && action.toUpperCase() === 'NOOP') return 'noop';
  const criteria = asRecord(pick(record, 'findingCriteria'));
  const criterion = pick(criteria, 'criterion') ?? pick(record, 'criterion');
  const name = pick(record, 'name') ?? `suppression ${index + 1}`;
  const at = now.toISOString();
  const rule: Record<string, unknown> = {
    id: typeof record['id'] === 'string' ? record['id'] : slug(name, `suppress-${index + 1}`),
    name,
    description: pick(record, 'description') ?? '',
    criterion,
    createdAt: at,
    updatedAt: at,
  };
  const rank = pick(record, 'rank');
  if (rank !== undefined) rule['rank'] = rank;
  const accounts = pick(record, 'accounts');
  if (accounts !== undefined) rule['accounts'] = accounts;
  const enabled = pick(record, 'enabled');
  if (enabled !== undefined) rule['enabled'] = enabled;
  return rule;
}
