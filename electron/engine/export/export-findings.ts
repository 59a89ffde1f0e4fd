import { dirname, extname, join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import {
  EXPORT_FORMATS,
  exportRequestSchema,
  type ExportFormat,
  type ExportRequest,
} from '../../../shared/api/schemas';
import { LoupeError } from '../../../shared/errors';
import type { GuardDutyFinding } from '../../../shared/findings/guardduty';
import type { Database } from '../db/database';
import type { JobContext } from '../jobs/job-registry';
import { openAtomic, writeError, type AtomicWriter } from '../workspace/atomic-file';
import { describeIssues, type CaseState } from '../workspace/case-state';
import { errnoOf, nodeFs, type WorkspaceFs } from '../workspace/fs-seam';
import { asffBatches } from './asff';
import { csvHeader, csvRow } from './csv';
import { evidenceByFinding, timelineSources } from './evidence';
import { s3ExportKey, toEventBridgeEvent } from './guardduty';
import { renderHtmlReport, type SourceSummary } from './html-report';
import { countFindings, findingBatches, loadFindings, type FindingSelection } from './load-findings';
import { toOcsf } from './ocsf';
import { renderPlaybookScript } from './playbook-script';
import { playbookFor } from './playbooks';
import { findingTimelineLines } from './timeline';

/**
 * One entry point for every export: reads the selected findings from the case database and
 * writes the chosen format. Files are written through a temp file and renamed when complete,
 * so a cancelled or failed export never leaves a half-written file under the target name.
 */
export { EXPORT_FORMATS, exportRequestSchema };
export type { ExportFormat, ExportRequest };

export interface ExportContext {
  caseState?: CaseState;
  caseName?: string;
  appVersion?: string;
  fs?: WorkspaceFs;
  now?: Date;
  /** Evidence events shown per finding in the HTML report (default: 25, fewer past 800 findings). */
  reportEventsPerFinding?: number;
}

export interface ExportedFile {
  path: string;
  bytes: number;
  records: number;
}

export interface ExportResult {
  format: ExportFormat;
  findings: number;
  /** Evidence events written (timesketch only). */
  events: number;
  files: ExportedFile[];
}

const gzipAsync = promisify(gzip);

export async function exportFindings(
  db: Database,
  requestInput: ExportRequest,
  context: ExportContext = {},
  job: Partial<JobContext> = {},
): Promise<ExportResult> {
  const parsed = exportRequestSchema.safeParse(requestInput);
  if (!parsed.success) {
    throw new LoupeError('INVALID_INPUT', `The export request is not valid: ${describeIssues(parsed.error)}.`);
  }
  const request = parsed.data;
  const fs = context.fs ?? nodeFs;
  const selection: FindingSelection = { includeArchived: request.includeArchived, ids: request.findingIds };
  const read = { signal: job.signal };
  const total = await countFindings(db, selection, read);
  job.report?.({ phase: 'exporting', done: 0, total, message: `Exporting ${total} findings as ${request.format}` });
  const result: ExportResult = { format: request.format, findings: 0, events: 0, files: [] };

  const stream = async (path: string, body: (w: AtomicWriter) => Promise<number>): Promise<void> => {
    if (!request.overwrite) await assertAbsent(path, fs);
    await fs.mkdir(dirname(path)).catch((error: unknown) => {
      throw writeError(error, path);
    });
    const writer = await openAtomic(path, fs);
    try {
      const records = await body(writer);
      checkCancelled(job.signal);
      await writer.commit();
      result.files.push({ path, bytes: writer.bytes, records });
    } catch (error) {
      await writer.abort();
      throw error;
    }
  };

  /** Runs `each` on every selected finding in batches, reporting progress; returns how many. */
  const eachFinding = async (each: (f: GuardDutyFinding) => Promise<void>): Promise<number> => {
    let n = 0;
    for await (const batch of findingBatches(db, selection, read)) {
      checkCancelled(job.signal);
      for (const f of batch) await each(f);
      n += batch.length;
      job.report?.({ done: n });
    }
    result.findings = n;
    return n;
  };

  const state = context.caseState;
  switch (request.format) {
    case 'guardduty-json':
      await stream(request.outPath, async (w) => {
        await w.write('[');
        let first = true;
        const n = await eachFinding(async (f) => {
          await w.write(`${first ? '\n' : ',\n'}${JSON.stringify(f)}`);
          first = false;
        });
        await w.write(n ? '\n]\n' : ']\n');
        return n;
      });
      break;
    case 'guardduty-jsonl':
      await stream(request.outPath, (w) => eachFinding((f) => w.write(JSON.stringify(f) + '\n')));
      break;
    case 'eventbridge':
      await stream(request.outPath, (w) => eachFinding((f) => w.write(JSON.stringify(toEventBridgeEvent(f)) + '\n')));
      break;
    case 'ocsf':
      await stream(request.outPath, (w) =>
        eachFinding((f) =>
          w.write(JSON.stringify(toOcsf(f, { caseState: state, productVersion: context.appVersion })) + '\n'),
        ),
      );
      break;
    case 'csv':
      await stream(request.outPath, async (w) => {
        await w.write(csvHeader());
        return eachFinding((f) => w.write(csvRow(f, state)));
      });
      break;
    case 'timesketch':
      await stream(request.outPath, async (w) => {
        const n = await eachFinding(async (f) => {
          for (const line of findingTimelineLines(f, state)) await w.write(line + '\n');
        });
        job.report?.({ phase: 'evidence events' });
        for (const source of await timelineSources(db, selection, read)) {
          result.events += await source.pages(async (lines) => {
            checkCancelled(job.signal);
            await w.write(lines.join('\n') + '\n');
            job.report?.({ message: `${result.events + lines.length} ${source.source} events` });
          });
        }
        return n + result.events;
      });
      break;
    case 'asff': {
      const findings = await loadFindings(db, selection, read);
      const batches = asffBatches(findings, { product: request.asffProduct, caseState: state });
      result.findings = findings.length;
      const paths =
        batches.length <= 1
          ? [request.outPath]
          : batches.map((_, i) => numbered(request.outPath, i + 1, batches.length));
      for (const [i, batch] of (batches.length ? batches : [{ Findings: [] }]).entries()) {
        await stream(paths[i] ?? request.outPath, async (w) => {
          await w.write(JSON.stringify(batch, null, 2) + '\n');
          return batch.Findings.length;
        });
      }
      job.report?.({ done: findings.length });
      break;
    }
    case 'guardduty-s3': {
      const groups = new Map<string, GuardDutyFinding[]>();
      await eachFinding(async (f) => {
        const key = `${f.accountId}\u0000${f.region}`;
        const group = groups.get(key);
        if (group) group.push(f);
        else groups.set(key, [f]);
      });
      for (const group of groups.values()) {
        const head = group[0];
        if (!head) continue;
        const path = join(request.outPath, ...s3ExportKey(head.accountId, head.region).split('/'));
        const body = await gzipAsync(group.map((f) => JSON.stringify(f)).join('\n') + '\n');
        await stream(path, async (w) => {
          await w.write(body);
          return group.length;
        });
      }
      break;
    }
    case 'html': {
      const findings = await loadFindings(db, selection, read);
      job.report?.({ phase: 'evidence', done: 0 });
      // Up to 25 events per finding, fewer when there are many findings: the report stays readable.
      const perFinding =
        context.reportEventsPerFinding ?? Math.min(25, Math.max(3, Math.floor(20_000 / Math.max(1, findings.length))));
      const evidence = await evidenceByFinding(db, selection, perFinding, read);
      const sources = await db.all<SourceSummary>(
        `SELECT type, count(*)::INTEGER AS files, (count(*) FILTER (WHERE status = 'loaded'))::INTEGER AS loaded,
                (count(*) FILTER (WHERE status = 'failed'))::INTEGER AS failed, CAST(coalesce(sum(records), 0) AS DOUBLE) AS records
           FROM files GROUP BY type ORDER BY type`,
        undefined,
        { signal: job.signal, timeoutMs: 60_000 },
      );
      result.findings = findings.length;
      const page = renderHtmlReport({
        caseName: context.caseName ?? state?.name ?? 'Loupe case',
        generatedAt: context.now ?? new Date(),
        findings,
        evidence,
        caseState: state,
        sources,
        includeArchived: request.includeArchived,
        appVersion: context.appVersion,
      });
      await stream(request.outPath, async (w) => {
        await w.write(page);
        return findings.length;
      });
      job.report?.({ done: findings.length });
      break;
    }
    case 'playbook': {
      const findings = await loadFindings(db, selection, read);
      result.findings = findings.length;
      const script = renderPlaybookScript(findings.map(playbookFor), {
        caseName: context.caseName ?? state?.name,
        generatedAt: context.now,
      });
      await stream(request.outPath, async (w) => {
        await w.write(script);
        return findings.length;
      });
      job.report?.({ done: findings.length });
      break;
    }
  }
  job.report?.({ phase: 'done', message: `Exported ${result.findings} findings` });
  return result;
}

function checkCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new LoupeError('JOB_CANCELLED', 'The export was cancelled; no file was written.');
}

async function assertAbsent(path: string, fs: WorkspaceFs): Promise<void> {
  try {
    await fs.stat(path);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return;
    throw error;
  }
  throw new LoupeError('INVALID_INPUT', `${path} already exists.`, {
    hint: 'Choose another file name, or allow overwriting.',
  });
}

/** report.json -> report-001.json (for ASFF batches of 100). */
function numbered(path: string, n: number, of: number): string {
  const ext = extname(path);
  const stem = ext ? path.slice(0, -ext.length) : path;
  return `${stem}-${String(n).padStart(Math.max(3, String(of).length), '0')}${ext}`;
}
