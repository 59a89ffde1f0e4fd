import { z } from 'zod';

/**
 * `case.json`, format version 1: everything an analyst adds to a case that is not evidence.
 * The evidence itself (events, findings, file manifest) lives in `case.duckdb`. Parsed with zod
 * on every read; bounds on every string and list keep a hand-edited or hostile file from
 * turning into a memory problem. A change to this shape bumps CASE_FORMAT_VERSION and adds a
 * step to case-migrations.ts.
 */
export const CASE_FORMAT_VERSION = 1;

const id = z.string().min(1).max(200);
const isoTime = z
  .string()
  .min(1)
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a date');
const tagName = z.string().min(1).max(64);
const accountId = z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id');

/** Analyst workflow states; exports map them to ASFF Workflow.Status and OCSF status_id. */
export const findingStatusSchema = z.enum(['new', 'investigating', 'resolved', 'false_positive', 'benign']);
export type FindingStatus = z.infer<typeof findingStatusSchema>;

export const commentSchema = z.object({
  id,
  text: z.string().min(1).max(20_000),
  author: z.string().max(200).optional(),
  createdAt: isoTime,
  updatedAt: isoTime.optional(),
});
export type Comment = z.infer<typeof commentSchema>;

export const findingStateSchema = z.object({
  status: findingStatusSchema.default('new'),
  comments: z.array(commentSchema).max(1000).default([]),
  tags: z.array(tagName).max(50).default([]),
  assignee: z.string().max(200).optional(),
  updatedAt: isoTime,
});
export type FindingState = z.infer<typeof findingStateSchema>;

export const noteSchema = z.object({
  id,
  title: z.string().max(300).default(''),
  text: z.string().max(1_000_000),
  author: z.string().max(200).optional(),
  createdAt: isoTime,
  updatedAt: isoTime,
});
export type Note = z.infer<typeof noteSchema>;

export const tagSchema = z.object({
  name: tagName,
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/)
    .optional(),
  description: z.string().max(1000).optional(),
});

export const bookmarkSchema = z.object({
  id,
  source: z.enum(['cloudtrail', 'vpcflow', 'dns']),
  eventUid: z.string().min(1).max(512),
  eventTime: isoTime.nullable().default(null),
  label: z.string().max(300).default(''),
  note: z.string().max(20_000).default(''),
  tags: z.array(tagName).max(50).default([]),
  findingId: id.optional(),
  createdAt: isoTime,
});
export type Bookmark = z.infer<typeof bookmarkSchema>;

export const savedQuerySchema = z.object({
  id,
  name: z.string().min(1).max(200),
  sql: z.string().min(1).max(100_000),
  description: z.string().max(5000).default(''),
  createdAt: isoTime,
  updatedAt: isoTime,
});

/**
 * A GuardDuty filter condition (API `Condition`), short and long operator names both kept. The
 * CLI's JSON spells operators `Eq`, the wire format `eq`: both are read, stored in lower camel.
 */
const lowerFirstKeys = (value: unknown): unknown =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), v]))
    : value;

const condition = z.preprocess(
  lowerFirstKeys,
  z
    .object({
      eq: z.array(z.string().max(1000)).max(50),
      neq: z.array(z.string().max(1000)).max(50),
      equals: z.array(z.string().max(1000)).max(50),
      notEquals: z.array(z.string().max(1000)).max(50),
      matches: z.array(z.string().max(1000)).max(50),
      notMatches: z.array(z.string().max(1000)).max(50),
      gt: z.number(),
      gte: z.number(),
      lt: z.number(),
      lte: z.number(),
      greaterThan: z.number(),
      greaterThanOrEqual: z.number(),
      lessThan: z.number(),
      lessThanOrEqual: z.number(),
    })
    .partial()
    .strict()
    .refine((c) => Object.keys(c).length > 0, 'a condition needs at least one operator'),
);

/** A suppression rule is a saved GuardDuty filter with action ARCHIVE (GuardDuty guide 4.1). */
export const suppressionRuleSchema = z.object({
  id,
  name: z.string().min(1).max(64),
  description: z.string().max(512).default(''),
  enabled: z.boolean().default(true),
  rank: z.number().int().min(1).max(100).optional(),
  criterion: z
    .record(z.string().min(1).max(200), condition)
    .refine((c) => Object.keys(c).length >= 1 && Object.keys(c).length <= 50, '1 to 50 attributes'),
  createdAt: isoTime,
  updatedAt: isoTime,
});
export type SuppressionRule = z.infer<typeof suppressionRuleSchema>;

export const intelListSchema = z.object({
  id,
  name: z.string().min(1).max(300),
  kind: z.enum(['threat', 'trusted']),
  format: z.enum(['TXT', 'STIX', 'OTX_CSV', 'ALIEN_VAULT', 'PROOF_POINT', 'FIRE_EYE']),
  source: z.string().min(1).max(4096),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  entries: z.number().int().min(0),
  enabled: z.boolean().default(true),
  importedAt: isoTime,
});

/** Known settings are typed; unknown keys are kept so a module can add one without a migration. */
export const settingsSchema = z.looseObject({
  learningPeriodDays: z.number().int().min(0).max(365).default(7),
  displayTimeZone: z.string().min(1).max(64).default('UTC'),
  disabledRules: z.array(z.string().min(1).max(200)).max(10_000).default([]),
});

export const accountInfoSchema = z.object({
  accountId,
  name: z.string().max(200).optional(),
  environment: z.string().max(100).optional(),
  owner: z.string().max(200).optional(),
  notes: z.string().max(5000).optional(),
});

export const organizationSchema = z.object({
  id: z
    .string()
    .regex(/^o-[a-z0-9]{10,32}$/)
    .optional(),
  name: z.string().max(200).optional(),
  managementAccountId: accountId.optional(),
});

export const caseStateSchema = z.object({
  formatVersion: z.literal(CASE_FORMAT_VERSION),
  name: z.string().trim().min(1).max(200),
  createdAt: isoTime,
  updatedAt: isoTime,
  /** Loupe version that last wrote the file, for support questions. */
  writtenBy: z.string().max(100).optional(),
  notes: z.array(noteSchema).max(10_000).default([]),
  findings: z.record(id, findingStateSchema).default({}),
  tags: z.array(tagSchema).max(1000).default([]),
  bookmarks: z.array(bookmarkSchema).max(100_000).default([]),
  savedQueries: z.array(savedQuerySchema).max(10_000).default([]),
  suppressionRules: z.array(suppressionRuleSchema).max(1000).default([]),
  intelLists: z.array(intelListSchema).max(1000).default([]),
  settings: settingsSchema.prefault({}),
  accounts: z.array(accountInfoSchema).max(100_000).default([]),
  organization: organizationSchema.nullable().default(null),
});
export type CaseState = z.infer<typeof caseStateSchema>;
export type CaseStateInput = z.input<typeof caseStateSchema>;

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
