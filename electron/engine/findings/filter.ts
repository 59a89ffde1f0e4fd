import type { FindingFilter } from '../../../shared/api/schemas';
import { LoupeError } from '../../../shared/errors';

/**
 * Turns a findings filter into a WHERE clause over the `findings` table. Every value is a bound
 * parameter; lists travel as one JSON text parameter cast to VARCHAR[] in SQL, so no value is
 * ever spliced into the statement. Clause texts below are constants.
 */
export type FilterParams = Record<string, string | number | boolean>;

/** GuardDuty's documented bands: Low 1.0-3.9, Medium 4.0-6.9, High 7.0-8.9, Critical 9.0-10.0. */
export const SEVERITY_LABEL_SQL = `(CASE WHEN severity >= 9 THEN 'Critical' WHEN severity >= 7 THEN 'High'
  WHEN severity >= 4 THEN 'Medium' ELSE 'Low' END)`;

const inList = (param: string, column: string) =>
  `list_contains(CAST(CAST($${param} AS JSON) AS VARCHAR[]), ${column})`;

export function findingWhere(filter: FindingFilter): { sql: string; params: FilterParams } {
  const clauses: string[] = [];
  const params: FilterParams = {};
  if (filter.severities?.length) {
    clauses.push(inList('f_severities', SEVERITY_LABEL_SQL));
    params['f_severities'] = JSON.stringify(filter.severities);
  }
  if (filter.types?.length) {
    clauses.push(inList('f_types', 'type'));
    params['f_types'] = JSON.stringify(filter.types);
  }
  if (filter.accounts?.length) {
    clauses.push(inList('f_accounts', 'account_id'));
    params['f_accounts'] = JSON.stringify(filter.accounts);
  }
  if (filter.regions?.length) {
    clauses.push(inList('f_regions', 'region'));
    params['f_regions'] = JSON.stringify(filter.regions);
  }
  if (filter.resource) {
    // contains() rather than LIKE so '%' and '_' typed by the user mean themselves.
    clauses.push('contains(lower(resource_id), lower($f_resource))');
    params['f_resource'] = filter.resource;
  }
  if (filter.resourceId) {
    clauses.push('resource_id = $f_resource_id');
    params['f_resource_id'] = filter.resourceId;
  }
  if (filter.text) {
    clauses.push(
      `contains(lower(concat_ws(' ', title, type, resource_id, account_id, region, id, finding->>'description')), lower($f_text))`,
    );
    params['f_text'] = filter.text;
  }
  const archived = filter.archived ?? 'exclude';
  if (archived === 'exclude') clauses.push('NOT archived');
  if (archived === 'only') clauses.push('archived');
  if (filter.from) {
    clauses.push('last_seen >= CAST($f_from AS TIMESTAMPTZ)');
    params['f_from'] = isoTime(filter.from, 'from');
  }
  if (filter.to) {
    clauses.push('first_seen <= CAST($f_to AS TIMESTAMPTZ)');
    params['f_to'] = isoTime(filter.to, 'to');
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

function isoTime(value: string, field: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new LoupeError('INVALID_INPUT', `The filter's '${field}' time "${value}" is not a date.`, {
      hint: 'Use an ISO 8601 time such as 2024-05-01T00:00:00Z.',
    });
  }
  return new Date(ms).toISOString();
}
