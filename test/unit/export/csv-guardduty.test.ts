import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvCell, csvHeader, csvRow } from '../../../electron/engine/export/csv';
import { s3ExportKey, toEventBridgeEvent } from '../../../electron/engine/export/guardduty';
import { findingTimelineLines } from '../../../electron/engine/export/timeline';
import { eventBridgeSchema, timesketchLineSchema } from './format-schemas';
import { ALL, HOSTILE, hostile, sshBruteForce } from './fixtures';

/** A strict RFC 4180 reader, to prove what the writer produces parses back to the same values. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe('CSV', () => {
  it('quotes commas, quotes and line breaks, and round-trips through an RFC 4180 reader', () => {
    const text =
      csvHeader().slice(1) +
      ALL()
        .map((f) => csvRow(f))
        .join('');
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(1 + ALL().length);
    for (const row of rows) expect(row).toHaveLength(CSV_COLUMNS.length);
    const ssh = rows[1] ?? [];
    expect(ssh[CSV_COLUMNS.indexOf('remote_ip')]).toBe('198.51.100.7');
    expect(ssh[CSV_COLUMNS.indexOf('local_port')]).toBe('22');
    expect(ssh[CSV_COLUMNS.indexOf('count')]).toBe('74');
    const evil = rows.at(-1) ?? [];
    // Quotes, commas and newlines in the hostile title all survive the round trip.
    expect(evil[CSV_COLUMNS.indexOf('title')]).toBe(HOSTILE);
    expect(evil[CSV_COLUMNS.indexOf('id')]).toBe(hostile().id);
  });

  it('starts with a BOM and ends rows with CRLF', () => {
    expect(csvHeader().startsWith('\ufeffid,type,severity')).toBe(true);
    expect(csvRow(sshBruteForce()).endsWith('\r\n')).toBe(true);
  });

  it('disarms cells a spreadsheet would run as formulas, but not numbers', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell(-2)).toBe('-2');
    expect(csvCell(null)).toBe('');
    expect(csvCell('plain')).toBe('plain');
  });
});

describe('GuardDuty delivery shapes', () => {
  it('wraps one finding per EventBridge event with the documented envelope', () => {
    for (const f of ALL()) {
      const event = toEventBridgeEvent(f);
      const parsed = eventBridgeSchema.safeParse(event);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      expect(event.detail).toEqual(f);
    }
    const e = toEventBridgeEvent(sshBruteForce());
    expect(e.time).toBe('2025-02-01T12:30:00Z');
    // Same finding and update time -> same event id, so re-exports are identical.
    expect(toEventBridgeEvent(sshBruteForce()).id).toBe(e.id);
    expect(toEventBridgeEvent(sshBruteForce('other')).id).not.toBe(e.id);
  });

  it('builds the S3 export key and keeps junk account or region values inside the folder', () => {
    expect(s3ExportKey('111122223333', 'eu-west-1', 'u')).toBe('AWSLogs/111122223333/GuardDuty/eu-west-1/u.jsonl.gz');
    const key = s3ExportKey('../../etc', '../../../tmp/x', 'u');
    expect(key).not.toContain('..');
    expect(key.split('/')).toHaveLength(5);
    expect(key).toMatch(/^AWSLogs\/invalid-account-[\w-]+\/GuardDuty\/invalid-region-[\w-]+\/u\.jsonl\.gz$/);
    expect(s3ExportKey('111122223333', 'us-east-1')).toMatch(/\/[0-9a-f-]{36}\.jsonl\.gz$/);
  });
});

describe('Timesketch finding lines', () => {
  it('writes a first-seen and a last-seen line with the required fields', () => {
    const lines = findingTimelineLines(sshBruteForce()).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(timesketchLineSchema.safeParse(l).success).toBe(true);
    expect(lines[0]).toMatchObject({
      timestamp_desc: 'Finding First Seen',
      datetime: '2025-02-01T10:00:00.000Z',
      timestamp: Date.parse('2025-02-01T10:00:00.000Z') * 1000,
      finding_id: 'f-ssh',
      remote_ip: '198.51.100.7',
      message: expect.stringContaining('UnauthorizedAccess:EC2/SSHBruteForce'),
    });
    expect(lines[1]?.['timestamp_desc']).toBe('Finding Last Seen');
  });

  it('writes one line when first and last seen are the same moment', () => {
    const f = sshBruteForce();
    const single = { ...f, service: { ...f.service, eventLastSeen: f.service.eventFirstSeen } };
    expect(findingTimelineLines(single)).toHaveLength(1);
  });
});
