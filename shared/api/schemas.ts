import { z } from 'zod';

/** Shapes that cross a process boundary. Everything arriving from outside is parsed from unknown. */

export const severityLabelSchema = z.enum(['Low', 'Medium', 'High', 'Critical']);

export const jobIdSchema = z.object({ jobId: z.string().min(1).max(100) });

export const jobStatusSchema = z.enum(['running', 'ok', 'cancelled', 'failed']);

export const errorShapeSchema = z.object({
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
  details: z.unknown().optional(),
});

export const jobInfoSchema = z.object({
  jobId: z.string(),
  kind: z.string(),
  label: z.string(),
  status: jobStatusSchema,
  phase: z.string(),
  done: z.number(),
  total: z.number().nullable(),
  message: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  error: errorShapeSchema.nullable(),
});
export type JobInfo = z.infer<typeof jobInfoSchema>;

export const fileStatusSchema = z.enum(['loaded', 'skipped', 'failed', 'duplicate']);
export const fileTypeSchema = z.enum(['cloudtrail', 'cloudtrail-digest', 'vpcflow', 'dns', 'unknown']);

export const fileRecordSchema = z.object({
  fileId: z.number(),
  path: z.string(),
  size: z.number(),
  sha256: z.string().nullable(),
  type: fileTypeSchema,
  records: z.number(),
  status: fileStatusSchema,
  reason: z.string().nullable(),
  accountId: z.string().nullable(),
  region: z.string().nullable(),
  loadedAt: z.string(),
});
export type FileRecord = z.infer<typeof fileRecordSchema>;

export const sourceSummarySchema = z.object({
  source: z.enum(['cloudtrail', 'vpcflow', 'dns']),
  files: z.number(),
  events: z.number(),
  firstEvent: z.string().nullable(),
  lastEvent: z.string().nullable(),
});

export const caseSummarySchema = z.object({
  name: z.string(),
  workspaceDir: z.string(),
  sources: z.array(sourceSummarySchema),
  accounts: z.array(z.string()),
  filesLoaded: z.number(),
  filesSkipped: z.number(),
  filesFailed: z.number(),
  findings: z.number(),
});
export type CaseSummary = z.infer<typeof caseSummarySchema>;

export const findingSortSchema = z.object({
  by: z.enum(['severity', 'type', 'lastSeen', 'firstSeen', 'count', 'account', 'resource']),
  dir: z.enum(['asc', 'desc']),
});

export const findingFilterSchema = z.object({
  severities: z.array(severityLabelSchema).max(4).optional(),
  types: z.array(z.string().max(100)).max(100).optional(),
  accounts: z.array(z.string().max(20)).max(1000).optional(),
  regions: z.array(z.string().max(40)).max(100).optional(),
  /** Substring of the resource id, any case. */
  resource: z.string().max(300).optional(),
  /** The resource id exactly (an access key, instance, bucket...): a group drill or a pivot. */
  resourceId: z.string().max(300).optional(),
  text: z.string().max(300).optional(),
  archived: z.enum(['exclude', 'include', 'only']).optional(),
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
});
export type FindingFilter = z.infer<typeof findingFilterSchema>;

export const findingRowSchema = z.object({
  id: z.string(),
  type: z.string(),
  severity: z.number(),
  title: z.string(),
  accountId: z.string(),
  region: z.string(),
  resourceType: z.string(),
  resourceId: z.string(),
  count: z.number(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  archived: z.boolean(),
});
export type FindingRow = z.infer<typeof findingRowSchema>;

export const severityCountsSchema = z.object({
  Low: z.number(),
  Medium: z.number(),
  High: z.number(),
  Critical: z.number(),
  total: z.number(),
});
export type SeverityCounts = z.infer<typeof severityCountsSchema>;

/** A raw event behind a finding: where it came from (file + position) and the record itself. */
export const evidenceRowSchema = z.object({
  source: z.enum(['cloudtrail', 'vpcflow', 'dns']),
  eventUid: z.string(),
  eventTime: z.string().nullable(),
  summary: z.string(),
  fileId: z.number().nullable(),
  filePath: z.string().nullable(),
  position: z.number().nullable(),
  raw: z.string(),
});
export type EvidenceRow = z.infer<typeof evidenceRowSchema>;

export const pageSchema = z.object({
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(1000).default(100),
});

const pathString = z.string().min(1).max(4096);
const accountIdSchema = z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id');
const regionSchema = z.string().regex(/^[a-z]{2}(-[a-z0-9]+)+-\d{1,2}$/, 'an AWS region such as us-east-1');
const dateText = z
  .string()
  .min(1)
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a date');

/** One s3://bucket/prefix to fetch, with what narrows it (the AWSLogs key layout and a time range). */
export const s3SourceSchema = z.object({
  uri: z
    .string()
    .max(2048)
    .regex(/^s3:\/\/[^/\s]+/i, 'an s3://bucket/prefix URI'),
  /** A named profile from ~/.aws/config; otherwise the SDK's default chain. */
  profile: z.string().min(1).max(200).optional(),
  region: regionSchema.optional(),
  /** An S3-compatible endpoint (MinIO, Ceph...), http(s). */
  endpoint: z
    .string()
    .max(2048)
    .regex(/^https?:\/\/[^\s/]+/i, 'an http(s) URL')
    .optional(),
  accounts: z.array(accountIdSchema).max(1000).optional(),
  regions: z.array(regionSchema).max(100).optional(),
  from: dateText.optional(),
  to: dateText.optional(),
});
export type S3Source = z.infer<typeof s3SourceSchema>;

/**
 * `case:open`: evidence to load. `paths` may hold local files, folders, globs and s3:// URIs
 * (fetched with default options); `s3` gives S3 sources with their options. `mode`: `add` loads
 * into the open case (files already loaded, by SHA-256, are skipped), `new` starts a new temp
 * case, `auto` adds to a saved case and starts a new one over a temp case.
 */
export const openCaseInputSchema = z
  .object({
    paths: z.array(pathString).max(1000).default([]),
    s3: z.array(s3SourceSchema).max(50).default([]),
    threatLists: z.array(pathString).max(50).optional(),
    trustedLists: z.array(pathString).max(50).optional(),
    mode: z.enum(['auto', 'new', 'add']).default('auto'),
  })
  .refine((input) => input.paths.length + input.s3.length > 0, {
    message: 'give at least one path or S3 source',
    path: ['paths'],
  });
export type OpenCaseInput = z.input<typeof openCaseInputSchema>;

export const appInfoSchema = z.object({
  version: z.string(),
  shell: z.enum(['desktop', 'web', 'cli']),
  caseOpen: z.boolean(),
  /** The open case's folder, when one is open. */
  caseDir: z.string().nullable().optional(),
});
export type AppInfo = z.infer<typeof appInfoSchema>;

export const jobProgressEventSchema = z.object({
  jobId: z.string(),
  phase: z.string(),
  done: z.number(),
  total: z.number().nullable(),
  message: z.string(),
});
export type JobProgressEvent = z.infer<typeof jobProgressEventSchema>;

export const jobFinishedEventSchema = z.object({
  jobId: z.string(),
  status: jobStatusSchema,
  error: errorShapeSchema.nullable(),
});
export type JobFinishedEvent = z.infer<typeof jobFinishedEventSchema>;

// ---------------------------------------------------------------------------------------------
// The analyst's side of a case (case.json). The engine's workspace module reads and writes it;
// the schemas live here because `case:state` and `case:updateState` carry it across the boundary.

/**
 * `case.json`, format version 2: everything an analyst adds to a case that is not evidence.
 * The evidence itself (events, findings, file manifest) lives in `case.duckdb`. Parsed with zod
 * on every read; bounds on every string and list keep a hand-edited or hostile file from
 * turning into a memory problem. A change to this shape bumps CASE_FORMAT_VERSION and adds a
 * step to electron/engine/workspace/case-migrations.ts.
 */
export const CASE_FORMAT_VERSION = 2;

const stateId = z.string().min(1).max(200);
const isoTime = z
  .string()
  .min(1)
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a date');
const tagName = z.string().min(1).max(64);

/** Analyst workflow states; exports map them to ASFF Workflow.Status and OCSF status_id. */
export const findingStatusSchema = z.enum(['new', 'investigating', 'resolved', 'false_positive', 'benign']);
export type FindingStatus = z.infer<typeof findingStatusSchema>;

export const commentSchema = z.object({
  id: stateId,
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
  /** The analyst archived (true) or unarchived (false) it; wins over suppression rules. */
  archived: z.boolean().optional(),
  /** The suppression rule (or `intel:<list>` scope) that archived it automatically. */
  suppressedBy: stateId.optional(),
  updatedAt: isoTime,
});
export type FindingState = z.infer<typeof findingStateSchema>;

export const noteSchema = z.object({
  id: stateId,
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
  id: stateId,
  source: z.enum(['cloudtrail', 'vpcflow', 'dns']),
  eventUid: z.string().min(1).max(512),
  eventTime: isoTime.nullable().default(null),
  label: z.string().max(300).default(''),
  note: z.string().max(20_000).default(''),
  tags: z.array(tagName).max(50).default([]),
  findingId: stateId.optional(),
  createdAt: isoTime,
});
export type Bookmark = z.infer<typeof bookmarkSchema>;

export const savedQuerySchema = z.object({
  id: stateId,
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

export const CONDITION_OPERATORS = [
  'eq',
  'neq',
  'equals',
  'notEquals',
  'matches',
  'notMatches',
  'gt',
  'gte',
  'lt',
  'lte',
  'greaterThan',
  'greaterThanOrEqual',
  'lessThan',
  'lessThanOrEqual',
] as const;

export const filterConditionSchema = z.preprocess(
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
export type FilterCondition = z.infer<typeof filterConditionSchema>;

/** GuardDuty FindingCriteria.Criterion: attribute (dotted finding field) -> condition; 1 to 50 of them. */
export const findingCriterionSchema = z
  .record(z.string().min(1).max(200), filterConditionSchema)
  .refine((c) => Object.keys(c).length >= 1 && Object.keys(c).length <= 50, '1 to 50 attributes');

/** A suppression rule is a saved GuardDuty filter with action ARCHIVE (GuardDuty guide 4.1). */
export const suppressionRuleSchema = z.object({
  id: stateId,
  name: z.string().min(1).max(64),
  description: z.string().max(512).default(''),
  enabled: z.boolean().default(true),
  rank: z.number().int().min(1).max(100).optional(),
  /** Only findings of these accounts; all accounts when absent. */
  accounts: z.array(accountIdSchema).max(1000).optional(),
  criterion: findingCriterionSchema,
  createdAt: isoTime,
  updatedAt: isoTime,
});
export type SuppressionRule = z.infer<typeof suppressionRuleSchema>;

export const intelListSchema = z.object({
  id: stateId,
  name: z.string().min(1).max(300),
  kind: z.enum(['threat', 'trusted']),
  format: z.enum(['TXT', 'STIX', 'STIX2', 'OTX_CSV', 'ALIEN_VAULT', 'PROOF_POINT', 'FIRE_EYE']),
  source: z.string().min(1).max(4096),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  entries: z.number().int().min(0),
  enabled: z.boolean().default(true),
  /** Only these accounts' activity is matched against the list; all accounts when absent. */
  accounts: z.array(accountIdSchema).max(1000).optional(),
  importedAt: isoTime,
});
export type IntelListRecord = z.infer<typeof intelListSchema>;

export const intelFormatSchema = intelListSchema.shape.format;

/** A list as the case uses it: bundled, imported (with its case record) or imported and disabled. */
export const intelListViewSchema = z.object({
  /** The case record's id (`kind:name`); null for bundled lists, which the case does not record. */
  id: z.string().nullable(),
  name: z.string(),
  kind: z.enum(['threat', 'trusted']),
  format: z.string(),
  /** What the list is about (custom, tor-exit, mining-pool...); bundled lists say it in their header. */
  category: z.string(),
  entries: z.number(),
  sha256: z.string().nullable(),
  path: z.string().nullable(),
  bundled: z.boolean(),
  /** The accounts the list applies to; null for every account. */
  accounts: z.array(z.string()).nullable(),
  /** False: kept in the case, not loaded, matches nothing. */
  enabled: z.boolean(),
  importedAt: z.string().nullable(),
  /** Where the list comes from: bundled with Loupe, a feed copy kept by `loupe intel update`, or a file. */
  origin: z.enum(['bundled', 'feed', 'file']),
  /** When the source was compiled (bundled header) or fetched (feed); null when unknown. */
  sourceDate: z.string().nullable(),
  /** The feed's address, for feed copies. */
  url: z.string().nullable(),
  /** Switched on in the case but not matching: its file could not be read back (it moved or changed). */
  problem: z.string().nullable(),
});
export type IntelListView = z.infer<typeof intelListViewSchema>;

export const intelImportInputSchema = z.object({
  path: z.string().min(1).max(4096),
  kind: z.enum(['threat', 'trusted']),
  /** GuardDuty's format names; absent: worked out from the content. */
  format: intelFormatSchema.optional(),
  /** Absent or empty: every account. */
  accounts: z.array(accountIdSchema).max(1000).optional(),
});
export type IntelImportInput = z.infer<typeof intelImportInputSchema>;

export const intelUpdateInputSchema = z.object({
  id: stateId,
  enabled: z.boolean().optional(),
  /** null or empty: every account. */
  accounts: z.array(accountIdSchema).max(1000).nullable().optional(),
});
export type IntelUpdateInput = z.infer<typeof intelUpdateInputSchema>;

/**
 * A public feed of the feeds file (`resources/intel/feeds.json`) with the copy `loupe intel update`
 * or the app's "Download feeds" keeps in the feed folder, and what the case does with it.
 */
export const feedViewSchema = z.object({
  name: z.string(),
  description: z.string().nullable(),
  url: z.string(),
  category: z.string(),
  kind: z.enum(['threat', 'trusted']),
  /** The copy in use (null: never fetched, or its file is gone). */
  copy: z.object({ fetchedAt: z.string(), entries: z.number(), sha256: z.string(), path: z.string() }).nullable(),
  /** This session's last download of the feed; null when none was tried since the engine started. */
  lastAttempt: z.object({ at: z.string(), ok: z.boolean(), error: z.string().nullable() }).nullable(),
  /** The case's list read from this copy's file, with when it was read; null when the case has none. */
  inCase: z.object({ id: z.string(), importedAt: z.string(), enabled: z.boolean() }).nullable(),
});
export type FeedView = z.infer<typeof feedViewSchema>;

export const feedsViewSchema = z.object({
  /** Where copies are kept (shared with the CLI). */
  dir: z.string(),
  feedsFile: z.string(),
  feeds: z.array(feedViewSchema),
  /** The feeds file cannot be read: why (the stored copies are still listed). */
  error: z.string().nullable(),
});
export type FeedsView = z.infer<typeof feedsViewSchema>;

/** Known settings are typed; unknown keys are kept so a module can add one without a migration. */
export const settingsSchema = z.looseObject({
  /** Unset: the first 7 days of each source, or its first quarter when the case is shorter. */
  learningPeriodDays: z.number().int().min(0).max(365).optional(),
  displayTimeZone: z.string().min(1).max(64).default('UTC'),
  disabledRules: z.array(z.string().min(1).max(200)).max(10_000).default([]),
});

export const accountRoleSchema = z.enum(['management', 'administrator', 'member', 'standalone']);
export type AccountRole = z.infer<typeof accountRoleSchema>;

export const accountInfoSchema = z.object({
  accountId: accountIdSchema,
  name: z.string().max(200).optional(),
  environment: z.string().max(100).optional(),
  owner: z.string().max(200).optional(),
  notes: z.string().max(5000).optional(),
  /** Set by the analyst; wins over what the logs suggest. */
  role: accountRoleSchema.optional(),
});

export const organizationSchema = z.object({
  id: z
    .string()
    .regex(/^o-[a-z0-9]{10,32}$/)
    .optional(),
  name: z.string().max(200).optional(),
  managementAccountId: accountIdSchema.optional(),
  /** The GuardDuty (delegated) administrator account. */
  administratorAccountId: accountIdSchema.optional(),
});

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, 'an HTTP header name');

/**
 * A notification rule: when a detection run creates or updates findings matching `filter`,
 * send each one as a GuardDuty EventBridge event to a command (argv, on stdin, no shell) or a
 * webhook (HTTP POST). Nothing is sent unless the analyst configured a rule.
 */
export const notificationRuleSchema = z.object({
  id: stateId,
  name: z.string().min(1).max(100),
  enabled: z.boolean().default(true),
  filter: z
    .object({
      severities: z.array(severityLabelSchema).max(4).optional(),
      minSeverity: z.number().min(0).max(10).optional(),
      /** Exact GuardDuty type names; `*` matches any run of characters (`Recon:*`). */
      types: z.array(z.string().min(1).max(200)).max(100).optional(),
      accounts: z.array(accountIdSchema).max(1000).optional(),
    })
    .default({}),
  action: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('command'),
      /** Program and arguments, run without a shell. */
      command: z.array(z.string().min(1).max(4096)).min(1).max(100),
      timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
    }),
    z.object({
      kind: z.literal('webhook'),
      url: z
        .string()
        .max(2048)
        .regex(/^https?:\/\/[^\s/?#]+[^\s]*$/i, 'an http(s) URL'),
      headers: z.record(headerName, z.string().max(4096)).optional(),
      timeoutMs: z.number().int().min(100).max(600_000).default(10_000),
    }),
  ]),
  /** Events sent per rule and run at most; the rest are counted as skipped. */
  maxEventsPerRun: z.number().int().min(1).max(1000).default(100),
});
export type NotificationRule = z.infer<typeof notificationRuleSchema>;
export type NotificationRuleInput = z.input<typeof notificationRuleSchema>;

export const caseStateSchema = z.object({
  formatVersion: z.literal(CASE_FORMAT_VERSION),
  name: z.string().trim().min(1).max(200),
  createdAt: isoTime,
  updatedAt: isoTime,
  /** Loupe version that last wrote the file, for support questions. */
  writtenBy: z.string().max(100).optional(),
  notes: z.array(noteSchema).max(10_000).default([]),
  findings: z.record(stateId, findingStateSchema).default({}),
  tags: z.array(tagSchema).max(1000).default([]),
  bookmarks: z.array(bookmarkSchema).max(100_000).default([]),
  savedQueries: z.array(savedQuerySchema).max(10_000).default([]),
  suppressionRules: z.array(suppressionRuleSchema).max(1000).default([]),
  intelLists: z.array(intelListSchema).max(1000).default([]),
  settings: settingsSchema.prefault({}),
  accounts: z.array(accountInfoSchema).max(100_000).default([]),
  organization: organizationSchema.nullable().default(null),
  notifications: z.array(notificationRuleSchema).max(100).default([]),
});
export type CaseState = z.infer<typeof caseStateSchema>;
export type CaseStateInput = z.input<typeof caseStateSchema>;

/**
 * `case:updateState`: the sections to replace (lists are replaced whole, `settings` is merged
 * key by key) and per-finding changes (`null` forgets what the analyst set on that finding).
 * Archiving goes through `findings:archive`, suppression rules through `suppression:*`.
 */
export const findingPatchSchema = z
  .object({
    status: findingStatusSchema.optional(),
    tags: z.array(tagName).max(50).optional(),
    assignee: z.string().max(200).nullable().optional(),
    /** Appended to the finding's comments. */
    comment: z.object({ text: z.string().min(1).max(20_000), author: z.string().max(200).optional() }).optional(),
  })
  .strict();
export type FindingPatch = z.infer<typeof findingPatchSchema>;

export const caseStatePatchSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    notes: z.array(noteSchema).max(10_000).optional(),
    tags: z.array(tagSchema).max(1000).optional(),
    bookmarks: z.array(bookmarkSchema).max(100_000).optional(),
    savedQueries: z.array(savedQuerySchema).max(10_000).optional(),
    settings: z.record(z.string().min(1).max(100), z.unknown()).optional(),
    accounts: z.array(accountInfoSchema).max(100_000).optional(),
    organization: organizationSchema.nullable().optional(),
    intelLists: z.array(intelListSchema).max(1000).optional(),
    notifications: z.array(notificationRuleSchema).max(100).optional(),
    findings: z
      .record(stateId, findingPatchSchema.nullable())
      .refine((f) => Object.keys(f).length <= 10_000, 'at most 10000 findings at once')
      .optional(),
  })
  .strict();
export type CaseStatePatch = z.input<typeof caseStatePatchSchema>;

export const lockHolderSchema = z.object({
  pid: z.number(),
  host: z.string(),
  user: z.string(),
  app: z.string(),
  startedAt: z.string(),
});

/** The open case as the UI shows it in its title bar and menus. */
export const caseInfoSchema = z.object({
  dir: z.string(),
  name: z.string(),
  /** A temp case lives in a temp folder and is deleted on close unless saved (Save As). */
  temp: z.boolean(),
  readOnly: z.boolean(),
  /** Read-only opens: who held the write lock then. */
  heldBy: lockHolderSchema.nullable(),
  warnings: z.array(z.string()),
  migratedFrom: z.number().nullable(),
});
export type CaseInfo = z.infer<typeof caseInfoSchema>;

export const recentCaseSchema = z.object({
  dir: z.string(),
  name: z.string(),
  openedAt: z.string(),
  exists: z.boolean(),
});

export const suppressionRuleInputSchema = suppressionRuleSchema
  .omit({ id: true, createdAt: true, updatedAt: true })
  .extend({ id: stateId.optional() });
export type SuppressionRuleInput = z.input<typeof suppressionRuleInputSchema>;

/** What applying the suppression rules (and account scopes of threat lists) changed. */
export const suppressionOutcomeSchema = z.object({
  archived: z.number(),
  unarchived: z.number(),
});
export type SuppressionOutcome = z.infer<typeof suppressionOutcomeSchema>;

// ---------------------------------------------------------------------------------------------
// Chain of custody.

export const verifyStatusSchema = z.enum(['match', 'mismatch', 'missing', 'unverifiable']);

export const custodyRowSchema = z.object({
  fileId: z.number(),
  /** What was loaded: a local path, `archive.zip!/member`, or an s3:// URI. */
  path: z.string(),
  /** Where the bytes were read from (the S3 cache, an archive's temp folder...). */
  localPath: z.string().nullable(),
  origin: z.enum(['local', 'archive', 's3']),
  size: z.number(),
  sha256: z.string().nullable(),
  type: fileTypeSchema,
  status: fileStatusSchema,
  reason: z.string().nullable(),
  records: z.number(),
  accountId: z.string().nullable(),
  region: z.string().nullable(),
  loadedAt: z.string(),
  /** The last `custody:verify` of this file, if any. */
  verified: z
    .object({
      status: verifyStatusSchema,
      actualSha256: z.string().nullable(),
      reason: z.string().nullable(),
    })
    .nullable(),
});
export type CustodyRow = z.infer<typeof custodyRowSchema>;

export const custodyVerificationSchema = z.object({
  verifiedAt: z.string(),
  ok: z.boolean(),
  counts: z.object({ match: z.number(), mismatch: z.number(), missing: z.number(), unverifiable: z.number() }),
});
export type CustodyVerification = z.infer<typeof custodyVerificationSchema>;

// ---------------------------------------------------------------------------------------------
// Exports and playbooks.

export const EXPORT_FORMATS = [
  'guardduty-json',
  'guardduty-jsonl',
  'guardduty-s3',
  'eventbridge',
  'asff',
  'ocsf',
  'csv',
  'timesketch',
  'html',
  'playbook',
] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** `export:run` (and the CLI): which findings, which format, where. */
export const exportRequestSchema = z.object({
  format: z.enum(EXPORT_FORMATS),
  /** A file, or for 'guardduty-s3' the folder that will hold AWSLogs/. */
  outPath: pathString,
  includeArchived: z.boolean().default(false),
  findingIds: z.array(z.string().min(1).max(200)).max(100_000).optional(),
  asffProduct: z.enum(['guardduty', 'account-default']).default('guardduty'),
  overwrite: z.boolean().default(false),
});
export type ExportRequest = z.input<typeof exportRequestSchema>;

export const playbookSchema = z.object({
  findingId: z.string(),
  type: z.string(),
  title: z.string(),
  severity: z.number(),
  severityLabel: z.string(),
  accountId: z.string(),
  region: z.string(),
  summary: z.string(),
  steps: z.array(
    z.object({
      title: z.string(),
      detail: z.string(),
      /** Shell lines, values already quoted; commented-out ones start with '# '. */
      commands: z.array(z.object({ line: z.string(), commented: z.boolean(), note: z.string().nullable() })),
    }),
  ),
  /** The same steps as a reviewed-before-run bash script. */
  script: z.string(),
});
export type PlaybookView = z.infer<typeof playbookSchema>;

// ---------------------------------------------------------------------------------------------
// Accounts and the organisation.

export const accountRegionRowSchema = z.object({
  region: z.string(),
  Low: z.number(),
  Medium: z.number(),
  High: z.number(),
  Critical: z.number(),
  findings: z.number(),
  events: z.number(),
  lastSeen: z.string().nullable(),
});

export const accountEntrySchema = z.object({
  accountId: z.string(),
  name: z.string().nullable(),
  environment: z.string().nullable(),
  owner: z.string().nullable(),
  role: z.enum(['management', 'administrator', 'member', 'standalone', 'unknown']),
  /** `user`: set in the case; `logs`: inferred from the events in `evidence`. */
  roleSource: z.enum(['user', 'logs', 'none']),
  evidence: z.array(z.string()),
  /** False for accounts only named by other accounts' events (e.g. invited members). */
  inLogs: z.boolean(),
  regions: z.array(accountRegionRowSchema),
  totals: z.object({
    Low: z.number(),
    Medium: z.number(),
    High: z.number(),
    Critical: z.number(),
    findings: z.number(),
    events: z.number(),
  }),
});
export type AccountEntry = z.infer<typeof accountEntrySchema>;

export const organizationInfoSchema = z.object({
  id: z.string().nullable(),
  name: z.string().nullable(),
  managementAccountId: z.string().nullable(),
  administratorAccountId: z.string().nullable(),
  memberAccountIds: z.array(z.string()),
  source: z.enum(['user', 'logs', 'mixed', 'none']),
  evidence: z.array(z.object({ accountId: z.string(), role: z.string(), reason: z.string() })),
});
export type OrganizationInfo = z.infer<typeof organizationInfoSchema>;

export const accountsListSchema = z.object({
  accounts: z.array(accountEntrySchema),
  organization: organizationInfoSchema,
});
export type AccountsList = z.infer<typeof accountsListSchema>;

/** Pushed to every UI when a case is opened, saved elsewhere or closed (null). */
export const caseChangedEventSchema = z.object({ case: caseInfoSchema.nullable() });
export type CaseChangedEvent = z.infer<typeof caseChangedEventSchema>;
