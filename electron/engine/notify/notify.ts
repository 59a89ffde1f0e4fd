import type { NotificationRule } from '../../../shared/api/schemas';
import { toErrorShape } from '../../../shared/errors';
import type { Database } from '../db/database';
import { toEventBridgeEvent } from '../export/guardduty';
import type { JobContext } from '../jobs/job-registry';
import { notifiableFindings } from './select';
import { postWebhook, runCommand } from './send';

/**
 * After a detection run: for each enabled notification rule, every finding the run created or
 * updated that matches the rule's filter is sent as one GuardDuty EventBridge event (the
 * `GuardDuty Finding` envelope with the finding as `detail`), in severity order, one at a time.
 * A failed send is counted and reported; it never fails the scan.
 */
export interface NotifyReport {
  ruleId: string;
  name: string;
  target: string;
  /** Findings of this run matching the filter. */
  matched: number;
  sent: number;
  failed: number;
  /** Over the rule's maxEventsPerRun, not sent. */
  skipped: number;
  /** The first few failures, with their reasons. */
  errors: string[];
}

const MAX_ERRORS = 5;

export function describeTarget(rule: NotificationRule): string {
  if (rule.action.kind === 'command') return `command ${rule.action.command.join(' ')}`.slice(0, 300);
  try {
    const url = new URL(rule.action.url);
    return `webhook ${url.origin}${url.pathname}`;
  } catch {
    return 'webhook (bad URL)';
  }
}

export async function notifyFindings(
  db: Database,
  rules: readonly NotificationRule[],
  since: string,
  ctx: JobContext,
): Promise<NotifyReport[]> {
  const reports: NotifyReport[] = [];
  const active = rules.filter((r) => r.enabled);
  if (active.length === 0) return reports;
  ctx.report({ phase: 'notify', done: 0, total: active.length, message: 'Sending notifications' });
  for (const [i, rule] of active.entries()) {
    if (ctx.signal.aborted) break;
    const { total, findings } = await notifiableFindings(db, rule.filter, since, rule.maxEventsPerRun, {
      signal: ctx.signal,
    });
    const report: NotifyReport = {
      ruleId: rule.id,
      name: rule.name,
      target: describeTarget(rule),
      matched: total,
      sent: 0,
      failed: 0,
      skipped: Math.max(0, total - findings.length),
      errors: [],
    };
    reports.push(report);
    for (const finding of findings) {
      if (ctx.signal.aborted) break;
      const body = JSON.stringify(toEventBridgeEvent(finding));
      try {
        if (rule.action.kind === 'command') {
          await runCommand(rule.action.command, `${body}\n`, {
            timeoutMs: rule.action.timeoutMs,
            signal: ctx.signal,
            env: { LOUPE_FINDING_ID: finding.id, LOUPE_FINDING_TYPE: finding.type },
          });
        } else {
          await postWebhook(rule.action.url, body, {
            timeoutMs: rule.action.timeoutMs,
            headers: rule.action.headers,
            signal: ctx.signal,
          });
        }
        report.sent++;
      } catch (error) {
        if (ctx.signal.aborted) break;
        report.failed++;
        if (report.errors.length < MAX_ERRORS) report.errors.push(`${finding.id}: ${toErrorShape(error).message}`);
      }
    }
    ctx.report({ done: i + 1, message: `Notified ${report.sent} of ${total} findings (${rule.name})` });
  }
  return reports;
}
