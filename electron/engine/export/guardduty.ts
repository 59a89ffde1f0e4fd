import { createHash, randomUUID } from 'node:crypto';
import type { GuardDutyFinding } from '../../../shared/findings/guardduty';

/**
 * GuardDuty's own delivery shapes: the finding JSON as GetFindings returns it, the EventBridge
 * event (one finding per event, guardduty.md 2.3), and the S3 export object key
 * `AWSLogs/<account>/GuardDuty/<region>/<uuid>.jsonl.gz` (5.2).
 */
export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': 'GuardDuty Finding';
  source: 'aws.guardduty';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: GuardDutyFinding;
}

/** A UUID derived from the finding and its update time, so re-exports are byte-identical. */
function stableUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** EventBridge times carry no milliseconds. */
function eventTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function toEventBridgeEvent(f: GuardDutyFinding): EventBridgeEvent {
  return {
    version: '0',
    id: stableUuid(`${f.id}|${f.updatedAt}`),
    'detail-type': 'GuardDuty Finding',
    source: 'aws.guardduty',
    account: f.accountId,
    time: eventTime(f.updatedAt),
    region: f.region,
    resources: [],
    detail: f,
  };
}

/**
 * Account and region come from log data (regions are kept as written, even junk), so both are
 * reduced to safe path segments before they become folder names: nothing can climb out of
 * the export folder.
 */
export function s3ExportKey(accountId: string, region: string, uuid: string = randomUUID()): string {
  const account = /^\d{12}$/.test(accountId) ? accountId : `invalid-account-${safeSegment(accountId)}`;
  const reg = /^[a-z]{2}(-[a-z]+)+-\d+$/.test(region) ? region : `invalid-region-${safeSegment(region)}`;
  return `AWSLogs/${account}/GuardDuty/${reg}/${uuid}.jsonl.gz`;
}

function safeSegment(value: string): string {
  return value.replace(/[^A-Za-z0-9-]/g, '_').slice(0, 64) || 'empty';
}
