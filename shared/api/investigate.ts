import { z } from 'zod';
import { findingFilterSchema, pageSchema, severityLabelSchema } from './schemas';

/**
 * Channels of the investigation views (timeline, graph, hunt, accounts, finding groups). Kept in
 * their own map so the renderer's owners can grow them without touching the core contract;
 * contract.ts spreads this map into the one contract every shell is derived from. Everything
 * here returns aggregates or pages: raw events never cross the boundary in bulk.
 */

export const sourceNameSchema = z.enum(['cloudtrail', 'vpcflow', 'dns']);
export type SourceName = z.infer<typeof sourceNameSchema>;

/** Things a responder pivots on. `value` is matched exactly (ARN, key id, IP, i-..., bucket, domain, account). */
export const entityKindSchema = z.enum(['principal', 'accessKey', 'ip', 'instance', 'bucket', 'domain', 'account']);
export type EntityKind = z.infer<typeof entityKindSchema>;

export const entityRefSchema = z.object({ kind: entityKindSchema, value: z.string().min(1).max(2048) });
export type EntityRef = z.infer<typeof entityRefSchema>;

const isoTime = z.string().min(1).max(40);

/** The filters the timeline, graph and event list share (the findings list has its own). */
export const scopeSchema = z.object({
  from: isoTime.optional(),
  to: isoTime.optional(),
  accounts: z.array(z.string().min(1).max(20)).max(1000).optional(),
  regions: z.array(z.string().min(1).max(40)).max(100).optional(),
  sources: z.array(sourceNameSchema).max(3).optional(),
  entity: entityRefSchema.optional(),
});
export type Scope = z.infer<typeof scopeSchema>;

export const timelineBucketSchema = z.object({
  start: z.string(),
  cloudtrail: z.number(),
  vpcflow: z.number(),
  dns: z.number(),
});
export type TimelineBucket = z.infer<typeof timelineBucketSchema>;

export const timelineMarkerSchema = z.object({
  start: z.string(),
  severity: severityLabelSchema,
  count: z.number(),
  /** At most 20 per marker: enough to jump to them, never the whole set. */
  findingIds: z.array(z.string()),
});
export type TimelineMarker = z.infer<typeof timelineMarkerSchema>;

export const timelineHistogramSchema = z.object({
  /** The range the buckets cover: the scope's, or the data's extent when the scope is open. */
  from: z.string().nullable(),
  to: z.string().nullable(),
  bucketSeconds: z.number(),
  sources: z.array(sourceNameSchema),
  buckets: z.array(timelineBucketSchema),
  markers: z.array(timelineMarkerSchema),
  total: z.number(),
});
export type TimelineHistogram = z.infer<typeof timelineHistogramSchema>;

export const timelineEventSchema = z.object({
  source: sourceNameSchema,
  eventUid: z.string(),
  eventTime: z.string().nullable(),
  accountId: z.string().nullable(),
  region: z.string().nullable(),
  actor: z.string().nullable(),
  summary: z.string(),
  raw: z.string(),
});
export type TimelineEvent = z.infer<typeof timelineEventSchema>;

export const findingGroupSchema = z.object({
  key: z.string(),
  /** For resource groups: AccessKey | Instance | S3Bucket ...; for type groups: null. */
  resourceType: z.string().nullable(),
  findings: z.number(),
  occurrences: z.number(),
  maxSeverity: z.number(),
  lastSeen: z.string(),
});
export type FindingGroup = z.infer<typeof findingGroupSchema>;

export const graphNodeKindSchema = z.union([entityKindSchema, z.literal('more')]);
export type GraphNodeKind = z.infer<typeof graphNodeKindSchema>;

export const graphNodeSchema = z.object({
  id: z.string(),
  kind: graphNodeKindSchema,
  value: z.string(),
  label: z.string(),
  /** Events behind the edges returned for this node. */
  weight: z.number(),
  /** Highest severity of a finding about this entity, if any. */
  severity: severityLabelSchema.nullable(),
  findingIds: z.array(z.string()),
  /** The GuardDuty type of each of `findingIds`, in the same order. */
  findingTypes: z.array(z.string()),
  seed: z.boolean(),
  /** Summary nodes ("+N more"): which node they belong to, how many neighbours are hidden, and the next offset. */
  parent: z.string().nullable(),
  hidden: z.number(),
  nextOffset: z.number(),
});
export type GraphNode = z.infer<typeof graphNodeSchema>;

export const graphRelationSchema = z.enum([
  'called from',
  'assumed',
  'used key',
  'read',
  'wrote',
  'instance role',
  'connected to',
  'resolved',
  'in account',
  'more',
]);
export type GraphRelation = z.infer<typeof graphRelationSchema>;

export const graphEdgeSchema = z.object({
  id: z.string(),
  source: z.string(),
  target: z.string(),
  relation: graphRelationSchema,
  count: z.number(),
});
export type GraphEdge = z.infer<typeof graphEdgeSchema>;

export const graphSchema = z.object({
  nodes: z.array(graphNodeSchema),
  edges: z.array(graphEdgeSchema),
  seeds: z.array(entityRefSchema),
});
export type GraphData = z.infer<typeof graphSchema>;

const huntParamName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
  .max(64);
export const huntParamsSchema = z.record(
  huntParamName,
  z.union([z.string().max(4096), z.number(), z.boolean(), z.null()]),
);

export const huntColumnSchema = z.object({ name: z.string(), type: z.string() });

export const huntResultSchema = z.object({
  columns: z.array(huntColumnSchema),
  /** JSON values per row (BIGINT as string, nested types as JSON). */
  rows: z.array(z.array(z.unknown())),
  offset: z.number(),
  hasMore: z.boolean(),
  elapsedMs: z.number(),
});
export type HuntResult = z.infer<typeof huntResultSchema>;

export const huntExampleSchema = z.object({
  title: z.string(),
  description: z.string(),
  sql: z.string(),
  params: huntParamsSchema,
});
export type HuntExample = z.infer<typeof huntExampleSchema>;

export const huntSchemaSchema = z.object({
  tables: z.array(
    z.object({
      name: z.string(),
      rows: z.number(),
      columns: z.array(huntColumnSchema),
    }),
  ),
  examples: z.array(huntExampleSchema),
});
export type HuntSchema = z.infer<typeof huntSchemaSchema>;

export const accountRowSchema = z.object({
  accountId: z.string(),
  region: z.string(),
  Low: z.number(),
  Medium: z.number(),
  High: z.number(),
  Critical: z.number(),
  findings: z.number(),
  events: z.number(),
  lastSeen: z.string().nullable(),
});
export type AccountRow = z.infer<typeof accountRowSchema>;

export const investigateContract = {
  'timeline:histogram': {
    input: z.object({
      scope: scopeSchema.default({}),
      buckets: z.number().int().min(10).max(500).default(120),
    }),
    output: timelineHistogramSchema,
  },
  'timeline:events': {
    input: pageSchema.extend({ scope: scopeSchema.default({}) }),
    output: z.object({ total: z.number(), rows: z.array(timelineEventSchema) }),
  },
  'findings:groups': {
    input: z.object({
      filter: findingFilterSchema.default({}),
      by: z.enum(['type', 'resource']),
      limit: z.number().int().min(1).max(1000).default(500),
    }),
    output: z.object({ total: z.number(), groups: z.array(findingGroupSchema) }),
  },
  'graph:neighborhood': {
    input: z.object({
      scope: scopeSchema.default({}),
      /** Empty: the engine picks the entities of the most severe findings (or the busiest principals). */
      seeds: z.array(entityRefSchema).max(50).default([]),
      limit: z.number().int().min(1).max(100).default(12),
      offset: z.number().int().min(0).max(100_000).default(0),
      /** 2: also the neighbours of the heaviest principals, keys, instances and buckets found (capped). */
      hops: z.number().int().min(1).max(2).default(1),
    }),
    output: graphSchema,
  },
  'hunt:query': {
    input: z.object({
      sql: z.string().min(1).max(20_000),
      params: huntParamsSchema.default({}),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(500).default(100),
      /** Chosen by the caller so `hunt:cancel` can name the running query. */
      queryId: z.string().min(1).max(100),
    }),
    output: huntResultSchema,
  },
  'hunt:cancel': {
    input: z.object({ queryId: z.string().min(1).max(100) }),
    output: z.object({ cancelled: z.boolean() }),
  },
  'hunt:schema': { input: z.object({}), output: huntSchemaSchema },
  'hunt:pivot': {
    input: z.object({ entity: entityRefSchema }),
    output: huntExampleSchema,
  },
  'accounts:overview': {
    input: z.object({ archived: z.enum(['exclude', 'include', 'only']).default('exclude') }),
    output: z.object({ rows: z.array(accountRowSchema) }),
  },
} as const;
