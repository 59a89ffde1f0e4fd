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
  resource: z.string().max(300).optional(),
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

export const openCaseInputSchema = z.object({
  paths: z.array(z.string().min(1).max(4096)).min(1).max(1000),
  threatLists: z.array(z.string().min(1).max(4096)).max(50).optional(),
  trustedLists: z.array(z.string().min(1).max(4096)).max(50).optional(),
});

export const appInfoSchema = z.object({
  version: z.string(),
  shell: z.enum(['desktop', 'web', 'cli']),
  caseOpen: z.boolean(),
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
