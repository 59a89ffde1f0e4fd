import { LoupeError } from '../../../shared/errors';
import type { GuardDutyFinding } from '../../../shared/findings/guardduty';
import type { Database } from '../db/database';

/** The GuardDuty JSON of one finding, with `service.archived` taken from the live column. */
export async function getFinding(db: Database, id: string): Promise<GuardDutyFinding> {
  const row = await db.one<{ finding: string; archived: boolean }>(
    `SELECT CAST(finding AS VARCHAR) AS finding, archived FROM findings WHERE id = $id`,
    { id },
    { timeoutMs: 30_000 },
  );
  if (!row) throw notFound(id);
  const finding = JSON.parse(row.finding) as GuardDutyFinding;
  if (finding.service && typeof finding.service === 'object') finding.service.archived = row.archived;
  return finding;
}

export function notFound(id: string): LoupeError {
  return new LoupeError('NOT_FOUND', `No finding with id ${id} in this case.`, {
    hint: 'The case may have been reopened or re-detected; refresh the findings list.',
  });
}
