import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

/**
 * Real servers on 127.0.0.1 for the S3 tests: s3rver (a real S3 API over HTTP) and a small
 * front proxy that answers the errors s3rver cannot produce (AccessDenied, region redirects,
 * expired tokens), serves listings in pages (s3rver's are broken, see listObjectsV2), and forwards everything else untouched.
 */

export const S3RVER_KEY = 'S3RVER';

export interface Loopback {
  endpoint: string;
  close(): Promise<void>;
}

async function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}

export async function startS3rver(directory: string): Promise<Loopback> {
  const instance = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  const address = await instance.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: async () => {
      instance.httpServer.closeAllConnections();
      await instance.close();
    },
  };
}

export interface Fault {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

export type FaultRule = (req: { method: string; bucket: string; key: string }) => Fault | null;

const xmlText = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const xmlDecode = (s: string): string =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

async function upstreamGet(
  target: URL,
  pathAndQuery: string,
  headers: http.IncomingHttpHeaders,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: target.hostname, port: target.port, method: 'GET', path: pathAndQuery, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * ListObjectsV2, answered by the front from one full upstream listing. Two s3rver 3.7.1 bugs
 * make this necessary: its Delimiter listings drop common prefixes more than one folder below
 * the prefix (its directory walk prunes them), and a truncated V2 listing crashes on Node >= 17
 * (its continuation tokens use DES, gone from OpenSSL 3). Pages are kept small so the client's
 * pagination loop is exercised; as in S3, contents and common prefixes page together in key order.
 */
async function listObjectsV2(
  target: URL,
  bucket: string,
  url: URL,
  headers: http.IncomingHttpHeaders,
  pageSize: number,
): Promise<{ status: number; body: string }> {
  const prefix = url.searchParams.get('prefix') ?? '';
  const delimiter = url.searchParams.get('delimiter') ?? '';
  const maxKeys = Math.min(pageSize, Number(url.searchParams.get('max-keys') ?? pageSize));
  const token = url.searchParams.get('continuation-token');
  const after = token ? Buffer.from(token, 'base64url').toString('utf8') : '';
  const full = await upstreamGet(target, `/${bucket}/?list-type=2&prefix=${encodeURIComponent(prefix)}`, headers);
  if (full.status !== 200) return full;
  const entries = new Map<string, string>();
  for (const block of full.body.match(/<Contents>[\s\S]*?<\/Contents>/g) ?? []) {
    const key = xmlDecode(/<Key>([\s\S]*?)<\/Key>/.exec(block)?.[1] ?? '');
    const idx = delimiter ? key.slice(prefix.length).indexOf(delimiter) : -1;
    if (idx === -1) entries.set(key, block);
    else {
      const common = key.slice(0, prefix.length + idx + delimiter.length);
      entries.set(common, `<CommonPrefixes><Prefix>${xmlText(common)}</Prefix></CommonPrefixes>`);
    }
  }
  const sorted = [...entries.keys()].sort().filter((k) => k > after);
  const page = sorted.slice(0, maxKeys);
  const truncated = sorted.length > page.length;
  const last = page[page.length - 1] ?? '';
  const body =
    `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
    `<Name>${xmlText(bucket)}</Name><Prefix>${xmlText(prefix)}</Prefix>` +
    (delimiter ? `<Delimiter>${xmlText(delimiter)}</Delimiter>` : '') +
    `<KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
    (token ? `<ContinuationToken>${xmlText(token)}</ContinuationToken>` : '') +
    (truncated ? `<NextContinuationToken>${Buffer.from(last).toString('base64url')}</NextContinuationToken>` : '') +
    page.map((k) => entries.get(k) ?? '').join('') +
    `</ListBucketResult>`;
  return { status: 200, body };
}

/**
 * The endpoint the tests talk to: forwards to s3rver, answers the faults `rule` asks for, and
 * serves listings itself (see listObjectsV2).
 */
export async function startS3Front(upstream: string, rule: FaultRule, pageSize = 5): Promise<Loopback> {
  const target = new URL(upstream);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://front');
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const fault = rule({ method: req.method ?? 'GET', bucket, key });
    if (fault) {
      req.resume();
      res.writeHead(fault.status, { 'content-type': 'application/xml', ...fault.headers });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.code}</Code><Message>${fault.message}</Message>` +
          `<RequestId>${randomUUID()}</RequestId></Error>`,
      );
      return;
    }
    if (req.method === 'GET' && key === '' && url.searchParams.get('list-type') === '2') {
      req.resume();
      listObjectsV2(target, bucket, url, req.headers, pageSize).then(
        ({ status, body }) => {
          res.writeHead(status, { 'content-type': 'application/xml' });
          res.end(body);
        },
        () => res.destroy(),
      );
      return;
    }
    // The Host header is kept: it is part of what the client signed.
    const up = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}

/** Points the SDK's shared config at temp files holding test profiles; returns a restorer. */
export function useAwsProfiles(dir: string, profiles: Record<string, { key: string; secret: string }>): () => void {
  const credentials = Object.entries(profiles)
    .map(([name, p]) => `[${name}]\naws_access_key_id = ${p.key}\naws_secret_access_key = ${p.secret}\n`)
    .join('\n');
  const config = Object.keys(profiles)
    .map((name) => `[profile ${name}]\nregion = us-east-1\n`)
    .join('\n');
  const credentialsFile = path.join(dir, 'credentials');
  const configFile = path.join(dir, 'config');
  fs.writeFileSync(credentialsFile, credentials);
  fs.writeFileSync(configFile, config);
  const names = [
    'AWS_SHARED_CREDENTIALS_FILE',
    'AWS_CONFIG_FILE',
    'AWS_EC2_METADATA_DISABLED',
    'AWS_PROFILE',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_REGION',
    'AWS_DEFAULT_REGION',
  ];
  const saved = new Map(names.map((n) => [n, process.env[n]]));
  for (const n of names) delete process.env[n];
  process.env.AWS_SHARED_CREDENTIALS_FILE = credentialsFile;
  process.env.AWS_CONFIG_FILE = configFile;
  // Nothing may reach 169.254.169.254 from a test when a profile is missing.
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  return () => {
    for (const [n, v] of saved) {
      if (v === undefined) delete process.env[n];
      else process.env[n] = v;
    }
  };
}

export function adminClient(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY },
  });
}

export async function createBucket(client: S3Client, bucket: string): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
}

export async function putObject(client: S3Client, bucket: string, key: string, body: Buffer): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

export interface RecordedCall {
  command: string;
  input: { Prefix?: string; Delimiter?: string; MaxKeys?: number; Key?: string };
}

/** Records every command the client sends (once per send, retries not counted). */
export function recordCalls(client: S3Client): RecordedCall[] {
  const calls: RecordedCall[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push({ command: context.commandName ?? '?', input: args.input as RecordedCall['input'] });
      return next(args);
    },
    { step: 'initialize', name: 'loupeTestRecorder' },
  );
  return calls;
}

const pad = (n: number): string => String(n).padStart(2, '0');

function stamp(iso: string): { y: string; m: string; d: string; compact: string } {
  const t = new Date(iso);
  const y = String(t.getUTCFullYear());
  const m = pad(t.getUTCMonth() + 1);
  const d = pad(t.getUTCDate());
  return { y, m, d, compact: `${y}${m}${d}T${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}Z` };
}

const suffix = (): string => randomBytes(8).toString('hex').toUpperCase();

/** A CloudTrail key as AWS writes it; `root` may hold a trail prefix and an organisation folder. */
export function cloudTrailKey(account: string, region: string, iso: string, root = 'AWSLogs/'): string {
  const s = stamp(iso);
  return `${root}${account}/CloudTrail/${region}/${s.y}/${s.m}/${s.d}/${account}_CloudTrail_${region}_${s.compact}_${suffix()}.json.gz`;
}

export function flowLogKey(account: string, region: string, iso: string, root = 'AWSLogs/'): string {
  const s = stamp(iso);
  return `${root}${account}/vpcflowlogs/${region}/${s.y}/${s.m}/${s.d}/${account}_vpcflowlogs_${region}_fl-0a1b2c3d4e5f60718_${s.compact}_${suffix()}.log.gz`;
}

export function hiveFlowLogKey(account: string, region: string, iso: string, root = 'AWSLogs/'): string {
  const s = stamp(iso);
  return (
    `${root}aws-account-id=${account}/aws-service=vpcflowlogs/aws-region=${region}/year=${s.y}/month=${s.m}/day=${s.d}/` +
    `${account}_vpcflowlogs_${region}_fl-0a1b2c3d4e5f60718_${s.compact}_${suffix()}.log.gz`
  );
}

export function dnsKey(account: string, vpcId: string, iso: string, root = 'AWSLogs/'): string {
  const s = stamp(iso);
  return `${root}${account}/vpcdnsquerylogs/${vpcId}/${s.y}/${s.m}/${s.d}/${account}_vpcdnsquerylogs_${vpcId}_${s.compact}_${suffix()}.log.gz`;
}

/**
 * A gzip CloudTrail file. `padding` adds random bytes to each record's request parameters so
 * the file does not compress away (for download-size tests).
 */
export function cloudTrailGz(account: string, region: string, iso: string, records = 3, padding = 0): Buffer {
  const base = Date.parse(iso);
  const Records = Array.from({ length: records }, (_, i) => ({
    eventVersion: '1.08',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEPRINCIPAL1',
      arn: `arn:aws:iam::${account}:user/analyst`,
      accountId: account,
      accessKeyId: 'AKIAEXAMPLEACCESSKEY',
      userName: 'analyst',
    },
    eventTime: new Date(base - (records - i) * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    awsRegion: region,
    sourceIPAddress: '203.0.113.10',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: {
      bucketName: 'example-data',
      key: `reports/${i}.csv`,
      ...(padding > 0 ? { note: randomBytes(padding).toString('base64') } : {}),
    },
    responseElements: null,
    eventID: randomUUID(),
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: false,
    recipientAccountId: account,
  }));
  return gzipSync(JSON.stringify({ Records }));
}

export function flowLogGz(account: string, iso: string): Buffer {
  const start = Math.floor(Date.parse(iso) / 1000) - 60;
  const lines = [
    'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
    `2 ${account} eni-0a1b2c3d4e5f60718 10.0.1.5 198.51.100.7 49152 443 6 10 8400 ${start} ${start + 60} ACCEPT OK`,
    `2 ${account} eni-0a1b2c3d4e5f60718 198.51.100.7 10.0.1.5 443 49152 6 8 5200 ${start} ${start + 60} ACCEPT OK`,
  ];
  return gzipSync(lines.join('\n') + '\n');
}

export function dnsGz(account: string, vpcId: string, iso: string): Buffer {
  const record = {
    version: '1.100000',
    account_id: account,
    region: 'us-east-1',
    vpc_id: vpcId,
    query_timestamp: iso,
    query_name: 'example.com.',
    query_type: 'A',
    query_class: 'IN',
    rcode: 'NOERROR',
    answers: [{ Rdata: '93.184.216.34', Type: 'A', Class: 'IN' }],
    srcaddr: '10.0.1.5',
    srcport: '53211',
    transport: 'UDP',
    srcids: { instance: 'i-0123456789abcdef0' },
  };
  return gzipSync(JSON.stringify(record) + '\n');
}

/** Every file under `dir`, relative, '/'-separated. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((rel) => fs.statSync(path.join(dir, rel)).isFile())
    .map((rel) => rel.split(path.sep).join('/'))
    .sort();
}
