import { z } from 'zod';
import { LoupeError } from '../../../shared/errors';
import { CASE_FORMAT_VERSION, caseStateSchema, describeIssues, type CaseState } from './case-state';

/**
 * Upgrades a parsed case.json of any older format version to the current one, one step at a
 * time. Each step parses its input with that version's own schema first, so a damaged old file
 * is reported as damaged rather than half-migrated. Nothing here touches the disk: the caller
 * keeps the original bytes and decides when to write.
 */

/**
 * Version 0: the pre-release layout (no `formatVersion`; `version: 0` or nothing). Notes were
 * one text, finding statuses and comments were separate maps, suppressions had no ids.
 */
const isoTime = z
  .string()
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a date');

export const caseV0Schema = z.object({
  version: z.literal(0).optional(),
  name: z.string().trim().min(1).max(200),
  created: isoTime.optional(),
  notes: z.string().max(1_000_000).default(''),
  findingStatus: z
    .record(z.string().min(1).max(200), z.enum(['open', 'archived', 'resolved', 'false_positive']))
    .default({}),
  comments: z
    .record(
      z.string().min(1).max(200),
      z.array(z.object({ text: z.string().min(1).max(20_000), at: isoTime })).max(1000),
    )
    .default({}),
  suppressions: z
    .array(
      z.object({
        name: z.string().min(1).max(64),
        criterion: z.record(z.string().min(1).max(200), z.record(z.string(), z.unknown())),
      }),
    )
    .max(1000)
    .default([]),
});

const V0_STATUS = { open: 'new', archived: 'benign', resolved: 'resolved', false_positive: 'false_positive' } as const;

function v0ToV1(raw: unknown, now: string): unknown {
  const v0 = caseV0Schema.parse(raw);
  const created = v0.created ?? now;
  const findings: Record<string, unknown> = {};
  const ids = new Set([...Object.keys(v0.findingStatus), ...Object.keys(v0.comments)]);
  for (const findingId of ids) {
    const status = v0.findingStatus[findingId];
    findings[findingId] = {
      status: status ? V0_STATUS[status] : 'new',
      comments: (v0.comments[findingId] ?? []).map((c, i) => ({ id: `c${i + 1}`, text: c.text, createdAt: c.at })),
      updatedAt: now,
    };
  }
  return {
    formatVersion: 1,
    name: v0.name,
    createdAt: created,
    updatedAt: now,
    notes: v0.notes.trim() ? [{ id: 'n1', title: 'Notes', text: v0.notes, createdAt: created, updatedAt: now }] : [],
    findings,
    suppressionRules: v0.suppressions.map((s, i) => ({
      id: `s${i + 1}`,
      name: s.name,
      criterion: s.criterion,
      createdAt: created,
      updatedAt: now,
    })),
  };
}

/**
 * Version 1 -> 2 only added things (notification rules; account scopes on suppression rules and
 * intel lists; per-finding archive decisions; account roles; the GuardDuty administrator of the
 * organisation), all optional or defaulted, so a v1 file is a v2 file with a new number. The
 * final parse checks every field, which is the v1 check too.
 */
function v1ToV2(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new z.ZodError([]);
  return { ...(raw as Record<string, unknown>), formatVersion: 2 };
}

/** step[n] turns version n into version n + 1. */
const STEPS: Record<number, (raw: unknown, now: string) => unknown> = { 0: v0ToV1, 1: v1ToV2 };

/** Reads the format version a parsed case.json declares; v0 files declare none. */
export function formatVersionOf(raw: unknown): number {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return Number.NaN;
  const record = raw as Record<string, unknown>;
  if ('formatVersion' in record) {
    const v = record['formatVersion'];
    return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : Number.NaN;
  }
  return record['version'] === undefined || record['version'] === 0 ? 0 : Number.NaN;
}

export interface MigrationResult {
  state: CaseState;
  /** The version the file was written in; equal to CASE_FORMAT_VERSION when nothing changed. */
  fromVersion: number;
}

/**
 * Parsed JSON -> current CaseState. Throws WORKSPACE_TOO_NEW for a file from a newer Loupe and
 * WORKSPACE_CORRUPT (naming `file`) for anything that does not fit its declared version.
 */
export function migrateCaseJson(raw: unknown, file: string, now: Date = new Date()): MigrationResult {
  const fromVersion = formatVersionOf(raw);
  if (Number.isNaN(fromVersion)) {
    throw new LoupeError('WORKSPACE_CORRUPT', `${file} is damaged: it has no valid format version.`, {
      hint: 'Restore case.json from its backup (case.json.bak), or recreate the case from the original logs.',
    });
  }
  if (fromVersion > CASE_FORMAT_VERSION) {
    throw new LoupeError(
      'WORKSPACE_TOO_NEW',
      `${file} was written by a newer Loupe (case format ${fromVersion}; this Loupe reads up to ${CASE_FORMAT_VERSION}).`,
      { hint: 'Update Loupe to open this case. The case was not changed.' },
    );
  }
  const at = now.toISOString();
  let current = raw;
  for (let v = fromVersion; v < CASE_FORMAT_VERSION; v++) {
    const step = STEPS[v];
    if (!step) throw new LoupeError('INTERNAL', `No migration from case format ${v} to ${v + 1}.`);
    try {
      current = step(current, at);
    } catch (error) {
      if (error instanceof z.ZodError) {
        throw new LoupeError('WORKSPACE_CORRUPT', `${file} (case format ${v}) is damaged: ${describeIssues(error)}.`, {
          hint: 'Restore case.json from its backup (case.json.bak), or recreate the case from the original logs.',
          details: { issues: error.issues.slice(0, 20) },
        });
      }
      throw error;
    }
  }
  const parsed = caseStateSchema.safeParse(current);
  if (!parsed.success) {
    throw new LoupeError('WORKSPACE_CORRUPT', `${file} is damaged: ${describeIssues(parsed.error)}.`, {
      hint: 'Restore case.json from its backup (case.json.bak), or fix the named fields by hand.',
      details: { issues: parsed.error.issues.slice(0, 20) },
    });
  }
  return { state: parsed.data, fromVersion };
}
