import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { detect, type SniffInput } from '../../../electron/engine/sources/detect';
import { gunzipHead } from '../../../electron/engine/sources/sniff';
import {
  ALL_V5_FLOW_FORMAT,
  DEFAULT_FLOW_FORMAT,
  parseFlowFormatOption,
} from '../../../electron/engine/sources/vpcflow/fields';

function input(content: string | Buffer, path = '/in/file.json'): SniffInput {
  const head = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return { path, size: head.length, raw: head, compression: 'none', head, headComplete: true, gzipError: null };
}
const ev = {
  eventVersion: '1.09',
  eventID: 'e',
  eventName: 'X',
  eventSource: 'iam.amazonaws.com',
  eventTime: '2026-03-01T00:00:00Z',
};

describe('detect', () => {
  it('tells the CloudTrail shapes apart', () => {
    expect(detect(input(JSON.stringify({ Records: [ev] }))).format).toBe('records');
    expect(detect(input(JSON.stringify({ Records: [ev] }, null, 2))).format).toBe('document');
    expect(detect(input(JSON.stringify([ev, ev], null, 2)))).toMatchObject({ type: 'cloudtrail', format: 'document' });
    expect(detect(input(JSON.stringify(ev, null, 2)))).toMatchObject({ type: 'cloudtrail', format: 'document' });
    expect(detect(input(`${JSON.stringify(ev)}\n${JSON.stringify(ev)}\n`))).toMatchObject({
      type: 'cloudtrail',
      format: 'ndjson',
    });
    expect(detect(input(JSON.stringify({ Events: [{ CloudTrailEvent: JSON.stringify(ev) }] })))).toMatchObject({
      type: 'cloudtrail',
      format: 'document',
    });
    expect(detect(input('Event ID,Event time,User name,Event name,Event source\n1,2,3,4,5\n', '/x.csv'))).toMatchObject(
      { type: 'cloudtrail', format: 'csv' },
    );
  });

  it('recognises digests, DNS and other products by content, not by name', () => {
    const digest = { awsAccountId: '1', digestStartTime: 'x', digestPublicKeyFingerprint: 'y', logFiles: [] };
    expect(detect(input(JSON.stringify(digest), '/a.log'))).toMatchObject({
      type: 'cloudtrail-digest',
      action: 'skip',
    });
    const dns = {
      version: '1.1',
      query_timestamp: 't',
      query_name: 'a.',
      query_type: 'A',
      rcode: 'NOERROR',
      srcaddr: '10.0.0.1',
    };
    expect(detect(input(JSON.stringify(dns), '/x.json.gz'))).toMatchObject({
      type: 'dns',
      format: 'ndjson',
      action: 'load',
    });
    expect(detect(input(JSON.stringify({ schemaVersion: '2.0', id: 'x' })))).toMatchObject({
      type: 'unknown',
      action: 'skip',
    });
    expect(detect(input('hello world\n', '/README.txt'))).toMatchObject({ type: 'unknown', action: 'skip' });
    expect(detect({ ...input(''), size: 0 })).toMatchObject({ action: 'skip', reason: 'empty file (0 bytes)' });
    expect(detect(input(Buffer.from([0, 1, 2, 3, 0, 0, 9])))).toMatchObject({
      action: 'skip',
      reason: expect.stringMatching(/binary/),
    });
    expect(detect(input(Buffer.from('PK\u0003\u0004rest'), '/a.json'))).toMatchObject({
      action: 'archive',
      archive: 'zip',
    });
    expect(
      detect(input(Buffer.from('PAR1....'), '/AWSLogs/111122223333/vpcflowlogs/us-east-1/x.parquet')),
    ).toMatchObject({ type: 'vpcflow', format: 'parquet' });
  });

  it('finds the flow log format: header, default v2, all v5 fields, a given format, or says what is missing', () => {
    const header =
      'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
    expect(detect(input(`${header}\n2 1 eni-1 - - - - - - - 1 2 - NODATA\n`, '/f.log'))).toMatchObject({
      type: 'vpcflow',
      flowHeader: true,
      flowFields: DEFAULT_FLOW_FORMAT,
    });
    expect(detect(input('2 111122223333 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ACCEPT OK\n', '/f.log'))).toMatchObject({
      flowHeader: false,
      flowFields: DEFAULT_FLOW_FORMAT,
    });
    const v5 =
      '5 64111117617 eni-069xxxxxb7a490 89.160.20.156 10.200.0.0 50041 33004 17 52 1 164000066 1640000297 REJECT OK vpc-1 subnet-1 i-0a 1 IPv4 89.160.20.156 10.200.0.80 us-east-1 use1-az5 - - AMAZON CLOUDFRONT ingress 1';
    expect(detect(input(v5, '/f.log'))).toMatchObject({ type: 'vpcflow', flowFields: ALL_V5_FLOW_FORMAT });
    expect(detect(input('3 vpc-1 eni-1 111122223333 10.0.0.1 10.0.0.2 443 6\n', '/f.log'))).toMatchObject({
      action: 'fail',
      reason: expect.stringMatching(/no flow format was given/),
    });
    const given = parseFlowFormatOption(
      '${version} ${vpc-id} ${interface-id} ${account-id} ${srcaddr} ${dstaddr} ${dstport} ${protocol}',
    );
    expect(
      detect(input('3 vpc-1 eni-1 111122223333 10.0.0.1 10.0.0.2 443 6\n', '/f.log'), { flowFormat: given }),
    ).toMatchObject({ action: 'load', flowFields: given });
    expect(() => parseFlowFormatOption('version nope')).toThrow(/nope/);
  });

  it('reads the head of a gzip and names a truncated or damaged one', () => {
    const gz = gzipSync(JSON.stringify({ Records: [ev] }));
    expect(gunzipHead(gz, true)).toMatchObject({ gzipError: null, headComplete: true });
    expect(gunzipHead(gz.subarray(0, gz.length - 10), true).gzipError).toMatch(/truncated/);
    const bad = Buffer.from(gz);
    bad[2] = 99;
    expect(gunzipHead(bad, true).gzipError).toMatch(/damaged|compression method/);
  });
});
