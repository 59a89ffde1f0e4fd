import { z } from 'zod';

/**
 * Each export format's required fields, written from its documentation, so the tests check
 * the exporters against the formats rather than against themselves.
 */
const iso = z.string().refine((s) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(s), 'ISO 8601 UTC');

/** GuardDuty API_Finding: the required members (guardduty.md section 2 notes). */
export const guardDutyFindingSchema = z.looseObject({
  schemaVersion: z.literal('2.0'),
  accountId: z.string().regex(/^\d{12}$/),
  arn: z.string().startsWith('arn:aws:guardduty:'),
  createdAt: iso,
  id: z.string().min(1),
  region: z.string().min(1),
  resource: z.looseObject({ resourceType: z.string() }),
  severity: z.number().min(0).max(10),
  type: z.string().min(1).max(50),
  updatedAt: iso,
});

/** EventBridge event for GuardDuty (guardduty.md 2.3): one finding per event. */
export const eventBridgeSchema = z.strictObject({
  version: z.literal('0'),
  id: z.uuid(),
  'detail-type': z.literal('GuardDuty Finding'),
  source: z.literal('aws.guardduty'),
  account: z.string().regex(/^\d{12}$/),
  time: z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
  region: z.string().min(1),
  resources: z.array(z.string()),
  detail: guardDutyFindingSchema,
});

const asffResource = z.looseObject({
  Type: z.string().min(1),
  Id: z.string().min(1).max(512),
  Partition: z.enum(['aws', 'aws-cn', 'aws-us-gov']).optional(),
  Region: z.string().optional(),
});

/** ASFF required attributes for BatchImportFindings, with the documented limits. */
export const asffSchema = z.looseObject({
  SchemaVersion: z.literal('2018-10-08'),
  Id: z.string().min(1).max(512),
  ProductArn: z.string().regex(/^arn:aws:securityhub:[a-z0-9-]+:(\d{12})?:product\/.+/),
  GeneratorId: z.string().min(1).max(512),
  AwsAccountId: z.string().regex(/^\d{12}$/),
  Types: z
    .array(
      z
        .string()
        .regex(
          /^(Software and Configuration Checks|TTPs|Effects|Unusual Behaviors|Sensitive Data Identifications)(\/[^/]+){1,2}$/,
        ),
    )
    .min(1)
    .max(50),
  CreatedAt: iso,
  UpdatedAt: iso,
  FirstObservedAt: iso.optional(),
  LastObservedAt: iso.optional(),
  Severity: z.looseObject({
    Label: z.enum(['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']),
    Normalized: z.number().int().min(0).max(100),
    Product: z.number(),
  }),
  Title: z.string().min(1).max(256),
  Description: z.string().min(1).max(1024),
  Resources: z.array(asffResource).min(1).max(32),
  ProductFields: z
    .record(z.string().max(128), z.string().max(2048))
    .refine((r) => Object.keys(r).length <= 50, 'at most 50')
    .optional(),
  Workflow: z.object({ Status: z.enum(['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED']) }),
  RecordState: z.enum(['ACTIVE', 'ARCHIVED']),
  Note: z.object({ Text: z.string().max(512), UpdatedBy: z.string().max(512), UpdatedAt: z.string() }).optional(),
});

export const asffBatchSchema = z.strictObject({ Findings: z.array(asffSchema).max(100) });

/** OCSF 1.3 Detection Finding: base-event required attributes plus the class's own. */
export const ocsfDetectionFindingSchema = z
  .looseObject({
    activity_id: z.union([z.literal(1), z.literal(2), z.literal(3)]),
    category_uid: z.literal(2),
    class_uid: z.literal(2004),
    type_uid: z.number().int(),
    severity_id: z.union([
      z.literal(0),
      z.literal(1),
      z.literal(2),
      z.literal(3),
      z.literal(4),
      z.literal(5),
      z.literal(6),
      z.literal(99),
    ]),
    time: z.number().int().positive(),
    metadata: z.looseObject({
      version: z.string().regex(/^1\.\d+\.\d+$/),
      product: z.looseObject({ name: z.string().min(1), vendor_name: z.string().min(1) }),
    }),
    finding_info: z.looseObject({
      uid: z.string().min(1),
      title: z.string().optional(),
      types: z.array(z.string()).optional(),
    }),
    cloud: z.looseObject({ provider: z.string().min(1), region: z.string().optional() }),
    resources: z.array(z.looseObject({ uid: z.string().optional(), type: z.string().optional() })).optional(),
    observables: z
      .array(z.looseObject({ name: z.string().min(1), type_id: z.number().int(), value: z.string().optional() }))
      .optional(),
    status_id: z.number().int().optional(),
  })
  .refine((e) => e.type_uid === e.class_uid * 100 + e.activity_id, 'type_uid = class_uid * 100 + activity_id');

/** A Timesketch JSONL line: message, datetime, timestamp_desc required; timestamp in microseconds. */
export const timesketchLineSchema = z.looseObject({
  message: z.string().min(1),
  datetime: iso,
  timestamp: z.number().int(),
  timestamp_desc: z.string().min(1),
});
