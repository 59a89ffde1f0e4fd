import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { ListObjectsV2CommandInput, ListObjectsV2CommandOutput, S3Client } from '@aws-sdk/client-s3';
import { LoupeError } from '../../../../shared/errors';
import type { KeyFilters, PathStyle } from './layout';
import { ACCOUNT_RE, ORG_RE, SOURCE_DIRS, TIME_SLACK_MS, calendarPrefixes, keySelected, yearOfSegment } from './layout';
import type { Limiter } from './limiter';
import { toS3Error } from './s3-errors';

export interface ListedObject {
  key: string;
  size: number;
  /** Without the quotes S3 puts around it; '' when the store sends none. */
  etag: string;
}

/** Every ListObjectsV2 call of a fetch goes through here: bounded, cancellable, errors mapped. */
export class BucketLister {
  requests = 0;
  objectsSeen = 0;

  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
    private readonly signal: AbortSignal,
    private readonly limit: Limiter,
    private readonly region: string | undefined,
    private readonly onProgress: () => void = () => undefined,
  ) {}

  private async page(input: ListObjectsV2CommandInput): Promise<ListObjectsV2CommandOutput> {
    return this.limit(async () => {
      if (this.signal.aborted) {
        throw new LoupeError('JOB_CANCELLED', `Cancelled while listing s3://${this.bucket}/${input.Prefix ?? ''}.`);
      }
      this.requests++;
      try {
        return await this.client.send(new ListObjectsV2Command(input), { abortSignal: this.signal });
      } catch (error) {
        throw toS3Error(error, { bucket: this.bucket, key: input.Prefix ?? '', action: 'list', region: this.region });
      }
    });
  }

  /** The "folders" directly under `prefix` (Delimiter '/'), as full prefixes ending in '/'. */
  async childPrefixes(prefix: string): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const res = await this.page({ Bucket: this.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token });
      for (const p of res.CommonPrefixes ?? []) if (p.Prefix) out.push(p.Prefix);
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  /** Every object under `prefix`, all pages. */
  async objects(prefix: string): Promise<ListedObject[]> {
    const out: ListedObject[] = [];
    let token: string | undefined;
    do {
      const res = await this.page({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token });
      for (const o of res.Contents ?? []) {
        if (o.Key === undefined) continue;
        out.push({ key: o.Key, size: Number(o.Size ?? 0), etag: (o.ETag ?? '').replace(/"/g, '') });
      }
      this.objectsSeen += res.Contents?.length ?? 0;
      this.onProgress();
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out;
  }
}

/**
 * Expands an AWSLogs folder into the narrowest prefixes for the filters. Every step is pruned
 * against the user's own prefix (`scope`): a level the scope already fixes is taken from it
 * without a request, and a generated prefix wider than the scope is replaced by the scope.
 */
class LayoutWalker {
  constructor(
    private readonly lister: BucketLister,
    private readonly scope: string,
    private readonly f: KeyFilters,
    private readonly nowMs: number,
  ) {}

  private compatible(p: string): boolean {
    return p.startsWith(this.scope) || this.scope.startsWith(p);
  }

  private narrow(p: string): string | null {
    if (p.startsWith(this.scope)) return p;
    return this.scope.startsWith(p) ? this.scope : null;
  }

  /** The part of the scope below `node`, '' when the scope stops above it. */
  private rest(node: string): string {
    return this.scope.startsWith(node) ? this.scope.slice(node.length) : '';
  }

  /** Child names of `node` chosen from a known list: no request. */
  private known(node: string, allowed: readonly string[]): string[] {
    if (!this.compatible(node)) return [];
    const rest = this.rest(node);
    const slash = rest.indexOf('/');
    if (slash >= 0) {
      const seg = rest.slice(0, slash);
      return allowed.includes(seg) ? [seg] : [];
    }
    return allowed.filter((a) => a.startsWith(rest));
  }

  /** Child names of `node` found with one Delimiter '/' listing, unless the scope fixes them. */
  private async discover(node: string): Promise<string[]> {
    if (!this.compatible(node)) return [];
    const rest = this.rest(node);
    const slash = rest.indexOf('/');
    if (slash >= 0) return [rest.slice(0, slash)];
    const found = await this.lister.childPrefixes(node + rest);
    return found.map((p) => p.slice(node.length, -1)).filter((s) => s !== '' && !s.includes('/'));
  }

  /** `rootSegments`: the children of `base` when the caller has listed them already. */
  async walk(base: string, rootSegments?: string[]): Promise<string[]> {
    const plainListings: string[] = [];
    const accounts = await this.accountNodes(base, plainListings, rootSegments);
    const below = await Promise.all(accounts.map((a) => this.underAccount(a.node, a.style)));
    return [...plainListings, ...below.flat()];
  }

  private async accountNodes(
    base: string,
    plainListings: string[],
    rootSegments: string[] | undefined,
  ): Promise<Array<{ node: string; style: PathStyle }>> {
    const wanted = (account: string): boolean =>
      ACCOUNT_RE.test(account) && (!this.f.accounts || this.f.accounts.includes(account));
    // One delimiter listing finds plain accounts, organisation folders and Hive-style folders at once.
    const segments = rootSegments ?? (await this.rootSegments(base));
    const nodes: Array<{ node: string; style: PathStyle }> = [];
    const orgs: string[] = [];
    for (const seg of segments) {
      const hive = /^aws-account-id=(.*)$/.exec(seg);
      if (ACCOUNT_RE.test(seg)) {
        if (wanted(seg)) nodes.push({ node: `${base}${seg}/`, style: 'plain' });
      } else if (ORG_RE.test(seg)) {
        orgs.push(`${base}${seg}/`);
      } else if (hive) {
        if (wanted(hive[1] ?? '')) nodes.push({ node: `${base}${seg}/`, style: 'hive' });
      } else {
        // Not a layout Loupe knows below AWSLogs/: list it whole and let the key filter decide.
        const p = this.narrow(`${base}${seg}/`);
        if (p) plainListings.push(p);
      }
    }
    const orgAccounts = await Promise.all(
      orgs.map(async (org) => {
        const segs = this.f.accounts ? this.known(org, this.f.accounts) : await this.discover(org);
        return segs.filter(wanted).map((seg) => ({ node: `${org}${seg}/`, style: 'plain' as const }));
      }),
    );
    return [...nodes, ...orgAccounts.flat()];
  }

  /**
   * The children of an AWSLogs/ folder. With accounts given, a bucket policy may allow listing
   * only below them: if listing AWSLogs/ itself is denied, go to the given accounts directly
   * (organisation folders are then out of reach).
   */
  async rootSegments(base: string): Promise<string[]> {
    try {
      return await this.discover(base);
    } catch (error) {
      if (this.f.accounts && error instanceof LoupeError && error.code === 'S3_ACCESS_DENIED') {
        return this.known(base, this.f.accounts);
      }
      throw error;
    }
  }

  private async underAccount(node: string, style: PathStyle): Promise<string[]> {
    const services =
      style === 'plain'
        ? this.f.sources.map((s) => SOURCE_DIRS[s])
        : this.f.sources.includes('vpcflow')
          ? ['aws-service=vpcflowlogs']
          : [];
    const perService = await Promise.all(
      this.known(node, services).map(async (service) => {
        const serviceNode = `${node}${service}/`;
        // DNS query log keys carry the VPC id, not the region: regions cannot narrow them.
        const byRegion = service !== SOURCE_DIRS.dns;
        const partitions =
          byRegion && this.f.regions
            ? this.known(
                serviceNode,
                this.f.regions.map((r) => (style === 'hive' ? `aws-region=${r}` : r)),
              )
            : await this.discover(serviceNode);
        const dated = await Promise.all(partitions.map((p) => this.dates(`${serviceNode}${p}/`, style)));
        return dated.flat();
      }),
    );
    return perService.flat();
  }

  private async dates(node: string, style: PathStyle): Promise<string[]> {
    if (!this.compatible(node)) return [];
    const { fromMs, toMs } = this.f;
    if (fromMs === null && toMs === null) {
      const p = this.narrow(node);
      return p ? [p] : [];
    }
    const end = (toMs ?? this.nowMs) + TIME_SLACK_MS;
    let start: number;
    if (fromMs !== null) {
      start = fromMs - TIME_SLACK_MS;
    } else {
      // Open start: begin at the oldest year folder there is rather than guessing.
      const years = (await this.discover(node)).map(yearOfSegment).filter((y): y is number => y !== null);
      if (years.length === 0) return [];
      start = Date.UTC(Math.min(...years), 0, 1);
    }
    const out: string[] = [];
    for (const rel of calendarPrefixes(start, end, style)) {
      const p = this.narrow(node + rel);
      if (p) out.push(p);
    }
    return out;
  }
}

/** Sorted, without duplicates and without prefixes already covered by a shorter one. */
export function collapsePrefixes(prefixes: readonly string[]): string[] {
  const sorted = [...new Set(prefixes)].sort();
  const out: string[] = [];
  for (const p of sorted) {
    // In sorted order a covering prefix is always the last one kept.
    const last = out[out.length - 1];
    if (last !== undefined && p.startsWith(last)) continue;
    out.push(p);
  }
  return out;
}

const AWSLOGS_IN_SCOPE = /(^|\/)AWSLogs(\/|$)/;

/**
 * The prefixes to list for `scope` (the key prefix of the s3:// URI). Inside or above an AWSLogs
 * folder the layout walk picks them; anything else is listed as given and filtered key by key.
 */
export async function planPrefixes(
  lister: BucketLister,
  scope: string,
  filters: KeyFilters,
  nowMs: number,
): Promise<string[]> {
  const walker = new LayoutWalker(lister, scope, filters, nowMs);
  const m = AWSLOGS_IN_SCOPE.exec(scope);
  if (m) {
    const base = `${scope.slice(0, m.index + (m[1] ?? '').length)}AWSLogs/`;
    return collapsePrefixes(await walker.walk(base));
  }
  // Is there an AWSLogs/ folder right below? Its listing doubles as the account discovery.
  const dir = scope === '' || scope.endsWith('/') ? scope : `${scope}/`;
  const base = `${dir}AWSLogs/`;
  const segments = await walker.rootSegments(base);
  if (segments.length === 0) return [scope];
  return collapsePrefixes(await walker.walk(base, segments));
}

/** Lists every planned prefix (bounded by the lister's limiter) and keeps the selected keys. */
export async function listSelected(
  lister: BucketLister,
  prefixes: readonly string[],
  filters: KeyFilters,
): Promise<ListedObject[]> {
  const lists = await Promise.all(prefixes.map((p) => lister.objects(p)));
  const byKey = new Map<string, ListedObject>();
  for (const list of lists) for (const o of list) if (keySelected(o.key, filters)) byKey.set(o.key, o);
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
