import type { z } from 'zod';
import { CASE_FORMAT_VERSION, caseStateSchema, type CaseState } from '../../../shared/api/schemas';

/**
 * `case.json`: the schemas live in shared/api/schemas.ts (the `case:state` channels carry them);
 * this module keeps the names the workspace code has always used, plus the helpers.
 */
export {
  CASE_FORMAT_VERSION,
  accountInfoSchema,
  bookmarkSchema,
  caseStateSchema,
  commentSchema,
  findingStateSchema,
  findingStatusSchema,
  intelListSchema,
  noteSchema,
  notificationRuleSchema,
  organizationSchema,
  savedQuerySchema,
  settingsSchema,
  suppressionRuleSchema,
  tagSchema,
} from '../../../shared/api/schemas';
export type {
  Bookmark,
  CaseState,
  CaseStateInput,
  Comment,
  FindingState,
  FindingStatus,
  Note,
  NotificationRule,
  SuppressionRule,
} from '../../../shared/api/schemas';

export function emptyCaseState(name: string, now: Date = new Date()): CaseState {
  const at = now.toISOString();
  return caseStateSchema.parse({ formatVersion: CASE_FORMAT_VERSION, name, createdAt: at, updatedAt: at });
}

/** First few zod issues as `path: message`, for error messages a person can act on. */
export function describeIssues(error: z.ZodError, max = 3): string {
  const parts = error.issues
    .slice(0, max)
    .map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
  const more = error.issues.length > max ? ` (and ${error.issues.length - max} more)` : '';
  return parts.join('; ') + more;
}
