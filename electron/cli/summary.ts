import type { CaseLoadReport } from '../engine/case/load';

const MAX_LISTED = 20;

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The scan summary, one fact per line with a stable leading word (tests and scripts read it):
 * Files:, Events:, Skipped:/Failed: per file, S3:, Intel:, Detections:, Findings:,
 * Suppressed:, Notify:, Elapsed:.
 */
export function formatScanSummary(report: CaseLoadReport): string[] {
  const { ingest, detect } = report;
  const lines: string[] = [];
  lines.push(
    `Files: ${ingest.filesSeen} seen, ${ingest.filesLoaded} loaded, ${ingest.filesSkipped} skipped, ` +
      `${ingest.filesFailed} failed, ${ingest.filesDuplicate} duplicate`,
  );
  const events = ingest.events;
  const totalEvents = events.cloudtrail + events.vpcflow + events.dns;
  lines.push(
    `Events: ${totalEvents} loaded (CloudTrail ${events.cloudtrail}, VPC flow ${events.vpcflow}, DNS ${events.dns})`,
  );
  // Files sharing a reason (every digest file, say) collapse into one line with an example.
  const byReason = new Map<string, Array<{ path: string; status: string }>>();
  for (const f of ingest.failures) {
    const key = `${f.status}\u0000${f.reason}`;
    byReason.set(key, [...(byReason.get(key) ?? []), f]);
  }
  let listed = 0;
  for (const [key, files] of byReason) {
    const [status = '', reason = ''] = key.split('\u0000');
    const label = status === 'failed' ? 'Failed' : 'Skipped';
    const first = files[0]?.path ?? '';
    if (listed === MAX_LISTED) {
      lines.push(`  ... more files not loaded (see files:list)`);
      break;
    }
    lines.push(
      files.length === 1
        ? `  ${label}: ${first}: ${reason}`
        : `  ${label} ${files.length} files: ${reason} (e.g. ${first})`,
    );
    listed += 1;
  }

  for (const source of report.s3 ?? []) {
    const failed = source.failures.length;
    lines.push(
      source.error
        ? `S3: ${source.uri}: not fetched: ${source.error.code}: ${source.error.message}`
        : `S3: ${source.uri}: ${source.listed} objects, ${source.downloaded} downloaded, ${source.cached} from cache, ${failed} failed`,
    );
    if (source.error?.hint) lines.push(`  hint: ${source.error.hint}`);
    if (source.error) continue;
    for (const f of source.failures.slice(0, MAX_LISTED)) lines.push(`  Failed: ${f.uri}: ${f.code}: ${f.message}`);
    if (failed > MAX_LISTED) lines.push(`  ... ${failed - MAX_LISTED} more S3 objects not fetched (see files:list)`);
  }

  for (const list of report.intel) {
    lines.push(`Intel: ${list.kind} list ${list.name}: ${list.entries} entries (${list.format}) from ${list.path}`);
  }
  for (const f of report.intelFailures) {
    lines.push(`Intel: ${f.kind} list ${f.path} not loaded: ${f.error.message}`);
  }

  const skipped = detect.rulesSkipped?.length ?? 0;
  lines.push(
    `Detections: ${detect.rules} rules, ${detect.rulesFailed.length} failed, ${skipped} skipped (no matching logs)`,
  );
  for (const r of detect.rulesFailed.slice(0, MAX_LISTED))
    lines.push(`  Rule failed: ${r.ruleId} (${r.file}): ${r.error}`);
  for (const w of detect.warnings ?? []) lines.push(`  Warning: ${w}`);

  const sev = detect.bySeverity;
  lines.push(
    `Findings: ${detect.findings} (Critical ${sev.Critical}, High ${sev.High}, Medium ${sev.Medium}, Low ${sev.Low})`,
  );
  const byType = Object.entries(detect.byType).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  for (const [type, count] of byType) lines.push(`  ${String(count).padStart(5)}  ${type}`);
  if (report.suppression && (report.suppression.archived > 0 || report.suppression.unarchived > 0)) {
    lines.push(
      `Suppressed: ${report.suppression.archived} findings archived by suppression rules` +
        (report.suppression.unarchived ? `, ${report.suppression.unarchived} no longer suppressed` : ''),
    );
  }
  for (const n of report.notifications ?? []) {
    lines.push(
      `Notify: ${n.name} (${n.target}): sent ${n.sent} of ${n.matched} findings` +
        (n.failed ? `, ${n.failed} failed` : '') +
        (n.skipped ? `, ${n.skipped} over the limit` : ''),
    );
    for (const e of n.errors) lines.push(`  Failed: ${e}`);
  }
  lines.push(`Elapsed: ${seconds(report.elapsedMs)}`);
  return lines;
}
