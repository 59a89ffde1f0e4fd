import { z } from 'zod';
import { INTEL_CATEGORIES } from '../intel/lists';

/**
 * The shape of a rule file (resources/detections/<source>/<id>.yml). Parsed from unknown YAML;
 * everything that becomes SQL is checked again against the query's DESCRIBE by the runner.
 */
const identifier = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier');

const severityValue = z.number().min(1).max(10);

export const ruleTestSchema = z.strictObject({
  name: z.string().min(1),
  expect: z.enum(['match', 'no_match']),
  /** Rows for the rule's source table; column names as in the table, JSON columns as objects. */
  events: z.array(z.record(z.string(), z.unknown())).min(1),
  /** Lists to load before the case runs. */
  intel: z
    .array(
      z.strictObject({
        kind: z.enum(['threat', 'trusted']),
        name: z.string().min(1).optional(),
        category: z.enum(INTEL_CATEGORIES).optional(),
        entries: z.array(z.string()).min(1),
      }),
    )
    .optional(),
  /** Expected number of findings (match cases only). */
  findings: z.number().int().min(1).optional(),
  /** Expected severity of every finding (match cases only). */
  severity: severityValue.optional(),
  /** Expected resource_id of the findings (match cases only). */
  resource: z.string().optional(),
});
export type RuleTest = z.infer<typeof ruleTestSchema>;

export const ruleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{2,80}$/, 'must be kebab-case'),
  type: z.string().min(3).max(100),
  source: z.enum(['cloudtrail', 'vpcflow', 'dns']),
  title: z.string().min(5).max(300),
  description: z.string().min(20),
  severity: z.union([
    severityValue,
    z.strictObject({
      default: severityValue,
      /** Documents when the query's `severity` column differs from the default. */
      context: z.array(z.strictObject({ value: severityValue, when: z.string().min(5) })).optional(),
    }),
  ]),
  mitre: z
    .array(z.string().regex(/^TA\d{4}:T\d{4}(\.\d{3})?$/, 'must look like TA0005:T1562 or TA0005:T1562.008'))
    .min(1),
  params: z.record(identifier, z.union([z.string(), z.number(), z.boolean()])).optional(),
  query: z.string().min(10),
  aggregate: z
    .strictObject({
      /** Query column holding the finding's primary resource (access key/principal, bucket, instance). */
      resource: identifier.default('resource_id'),
      /** Further query columns that split findings of the same type and resource. */
      by: z.array(identifier).max(4).default([]),
    })
    .default({ resource: 'resource_id', by: [] }),
  evidence: z.array(identifier).max(20).default([]),
  runbook: z.array(z.string().min(10)).min(2).max(4),
  tests: z.array(ruleTestSchema).min(2),
});

export type RuleSpec = z.infer<typeof ruleSchema>;

export interface Rule extends RuleSpec {
  /** The file the rule came from (errors name it). */
  file: string;
  defaultSeverity: number;
}
