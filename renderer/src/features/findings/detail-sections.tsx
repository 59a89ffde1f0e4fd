import type { ReactNode } from 'react';
import type { EntityRef } from '../../../../shared/api/investigate';
import { Copyable } from '../../components/copy';
import { useAppStore } from '../../store';
import { path, type NamedEntity } from './entities';

/**
 * The GuardDuty finding JSON laid out the way the GuardDuty console does: resource affected,
 * action, actor (or target), threat intelligence / anomaly, then the way to investigate.
 * Every block renders only what the finding carries.
 */
type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const text = (v: unknown): string | null =>
  v === null || v === undefined || v === '' ? null : typeof v === 'object' ? JSON.stringify(v) : String(v);

export function Section({
  title,
  right,
  children,
  testId,
}: {
  title: string;
  right?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <div className="section" data-testid={testId}>
      <h3>
        {title}
        {right ? <span className="right">{right}</span> : null}
      </h3>
      <div className="section-body">{children}</div>
    </div>
  );
}

/** Key/value rows; rows whose value is empty are left out. */
export function KV({
  rows,
  mono = [],
  columns = 2,
}: {
  rows: Array<[string, unknown]>;
  mono?: string[];
  columns?: 2 | 4;
}) {
  const present = rows.filter(([, v]) => text(v) !== null);
  if (present.length === 0) return null;
  return (
    <dl className={columns === 4 ? 'kv kv4' : 'kv'}>
      {present.map(([k, v]) => (
        <div key={k} style={{ display: 'contents' }}>
          <dt>{k}</dt>
          <dd>
            <Copyable value={text(v)!} mono={mono.includes(k)} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function PivotButtons({ entity }: { entity: EntityRef }) {
  const pivot = useAppStore((s) => s.pivot);
  return (
    <span className="pivots">
      <button type="button" title="All activity in the timeline" onClick={() => pivot(entity, 'timeline')}>
        Timeline
      </button>
      <button type="button" title="Relationships in the graph" onClick={() => pivot(entity, 'graph')}>
        Graph
      </button>
      <button type="button" title="All activity as a hunt query" onClick={() => pivot(entity, 'hunt')}>
        Hunt
      </button>
    </span>
  );
}

function IpDetails({ details }: { details: Json }) {
  const org = isObj(details['organization']) ? details['organization'] : {};
  const country = isObj(details['country']) ? details['country'] : {};
  const asn = text(org['asn']);
  return (
    <KV
      rows={[
        ['IP address', details['ipAddressV4'] ?? details['ipAddressV6']],
        ['ASN', asn ? `AS${asn}` : null],
        ['Organization', org['asnOrg'] ?? org['org']],
        ['ISP', org['isp'] !== org['asnOrg'] ? org['isp'] : null],
        [
          'Country',
          country['countryName']
            ? `${String(country['countryName'])}${country['countryCode'] ? ` (${String(country['countryCode'])})` : ''}`
            : country['countryCode'],
        ],
        ['City', path(details, 'city', 'cityName')],
      ]}
      mono={['IP address']}
    />
  );
}

export function ResourceSection({ finding }: { finding: Json }) {
  const resource = isObj(finding['resource']) ? finding['resource'] : null;
  if (!resource) return null;
  const key = isObj(resource['accessKeyDetails']) ? resource['accessKeyDetails'] : null;
  const inst = isObj(resource['instanceDetails']) ? resource['instanceDetails'] : null;
  const buckets = Array.isArray(resource['s3BucketDetails']) ? (resource['s3BucketDetails'] as Json[]) : [];
  return (
    <Section title={`Resource affected · ${text(resource['resourceType']) ?? 'unknown'}`} testId="resource-section">
      {key ? (
        <KV
          rows={[
            ['Access key ID', key['accessKeyId']],
            ['Principal ID', key['principalId']],
            ['User name', key['userName']],
            ['User type', key['userType']],
          ]}
          mono={['Access key ID', 'Principal ID']}
        />
      ) : null}
      {inst ? (
        <>
          <KV
            rows={[
              ['Instance ID', inst['instanceId']],
              ['Instance type', inst['instanceType']],
              ['Image', inst['imageId']],
              ['Instance profile', path(inst, 'iamInstanceProfile', 'arn')],
            ]}
            mono={['Instance ID', 'Instance profile']}
          />
          {(Array.isArray(inst['networkInterfaces']) ? (inst['networkInterfaces'] as Json[]) : []).map((eni, i) => (
            <KV
              key={i}
              rows={[
                ['Interface', eni['networkInterfaceId']],
                ['Private IP', eni['privateIpAddress']],
                ['Public IP', eni['publicIp']],
                ['VPC / subnet', [eni['vpcId'], eni['subnetId']].filter(Boolean).join(' / ') || null],
              ]}
              mono={['Interface', 'Private IP', 'Public IP']}
            />
          ))}
        </>
      ) : null}
      {buckets.map((b, i) => (
        <div key={i} style={{ marginTop: i ? 8 : 0 }}>
          <KV
            rows={[
              ['Bucket', b['name']],
              ['ARN', b['arn']],
              ['Role', b['type']],
              ['Effective permission', path(b, 'publicAccess', 'effectivePermission')],
              [
                'Objects',
                Array.isArray(b['s3ObjectDetails'])
                  ? (b['s3ObjectDetails'] as Json[]).map((o) => o['key']).join(', ')
                  : null,
              ],
            ]}
            mono={['Bucket', 'ARN']}
          />
          {isObj(path(b, 'publicAccess', 'permissionConfiguration')) ? (
            <PermissionTable config={path(b, 'publicAccess', 'permissionConfiguration') as Json} />
          ) : null}
        </div>
      ))}
    </Section>
  );
}

/** The bucket's public-access flags as a small table, the way the console shows them. */
function PermissionTable({ config }: { config: Json }) {
  const rows: Array<[string, Json]> = [];
  const bucket = isObj(config['bucketLevelPermissions']) ? config['bucketLevelPermissions'] : {};
  for (const k of ['accessControlList', 'bucketPolicy', 'blockPublicAccess'] as const)
    if (isObj(bucket[k])) rows.push([`Bucket ${k}`, bucket[k]]);
  const account = path(config, 'accountLevelPermissions', 'blockPublicAccess');
  if (isObj(account)) rows.push(['Account blockPublicAccess', account]);
  if (rows.length === 0) return null;
  return (
    <table className="data" style={{ marginTop: 6 }}>
      <tbody>
        {rows.map(([name, flags]) => (
          <tr key={name}>
            <td className="dim">{name}</td>
            <td className="mono wrap">
              {Object.entries(flags)
                .map(([k, v]) => `${k}: ${String(v)}`)
                .join(' · ')}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ActionSection({ finding }: { finding: Json }) {
  const action = path(finding, 'service', 'action');
  if (!isObj(action)) return null;
  const api = isObj(action['awsApiCallAction']) ? action['awsApiCallAction'] : null;
  const net = isObj(action['networkConnectionAction']) ? action['networkConnectionAction'] : null;
  const probe = isObj(action['portProbeAction']) ? action['portProbeAction'] : null;
  const dns = isObj(action['dnsRequestAction']) ? action['dnsRequestAction'] : null;
  const port = (p: unknown) =>
    isObj(p) ? `${text(p['port']) ?? '?'}${p['portName'] ? ` (${String(p['portName'])})` : ''}` : null;
  return (
    <Section title={`Action · ${text(action['actionType']) ?? ''}`} testId="action-section">
      {api ? (
        <KV
          rows={[
            ['API', api['api']],
            ['Service', api['serviceName']],
            ['Caller type', api['callerType']],
            ['Error code', api['errorCode']],
            ['User agent', api['userAgent']],
            ['Domain', path(api, 'domainDetails', 'domain')],
            [
              'Affected resources',
              isObj(api['affectedResources']) && Object.keys(api['affectedResources']).length
                ? api['affectedResources']
                : null,
            ],
          ]}
          mono={['API', 'User agent']}
        />
      ) : null}
      {net ? (
        <KV
          rows={[
            ['Direction', net['connectionDirection']],
            ['Protocol', net['protocol']],
            ['Blocked', net['blocked']],
            [
              'Local',
              [path(net, 'localIpDetails', 'ipAddressV4'), port(net['localPortDetails'])].filter(Boolean).join(' : ') ||
                null,
            ],
            ['Remote port', port(net['remotePortDetails'])],
            ['Interface', net['localNetworkInterface']],
          ]}
          mono={['Local', 'Interface']}
        />
      ) : null}
      {probe ? (
        <table className="data">
          <thead>
            <tr>
              <th>Local port</th>
              <th>Local IP</th>
              <th>Remote IP</th>
            </tr>
          </thead>
          <tbody>
            {(Array.isArray(probe['portProbeDetails']) ? (probe['portProbeDetails'] as Json[]) : []).map((p, i) => (
              <tr key={i}>
                <td className="mono">{port(p['localPortDetails'])}</td>
                <td className="mono">{text(path(p, 'localIpDetails', 'ipAddressV4'))}</td>
                <td className="mono">{text(path(p, 'remoteIpDetails', 'ipAddressV4'))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {dns ? (
        <KV
          rows={[
            ['Domain', dns['domain']],
            ['Registered domain', dns['domainWithSuffix']],
            ['Protocol', dns['protocol']],
            ['Blocked', dns['blocked']],
            ['VPC owner', dns['vpcOwnerAccountId']],
          ]}
          mono={['Domain', 'Registered domain']}
        />
      ) : null}
    </Section>
  );
}

/** The other party: the remote caller when our resource is the target, or what it reached when it is the actor. */
export function ActorSection({ finding }: { finding: Json }) {
  const role = text(path(finding, 'service', 'resourceRole'));
  const action = path(finding, 'service', 'action');
  if (!isObj(action)) return null;
  const remote =
    path(action, 'awsApiCallAction', 'remoteIpDetails') ??
    path(action, 'networkConnectionAction', 'remoteIpDetails') ??
    path(action, 'portProbeAction', 'portProbeDetails', '0', 'remoteIpDetails');
  const firstProbe = Array.isArray(path(action, 'portProbeAction', 'portProbeDetails'))
    ? (path(action, 'portProbeAction', 'portProbeDetails') as Json[])[0]
    : undefined;
  const ip = isObj(remote)
    ? remote
    : isObj(firstProbe?.['remoteIpDetails'])
      ? (firstProbe['remoteIpDetails'] as Json)
      : null;
  const account = path(action, 'awsApiCallAction', 'remoteAccountDetails');
  if (!ip && !isObj(account)) return null;
  return (
    <Section title={role === 'ACTOR' ? 'Target' : 'Actor'} testId="actor-section">
      {ip ? <IpDetails details={ip} /> : null}
      {isObj(account) ? (
        <KV
          rows={[
            ['Remote account', account['accountId']],
            ['Affiliated', account['affiliated']],
          ]}
          mono={['Remote account']}
        />
      ) : null}
    </Section>
  );
}

/** Why it fired: the matched list entry, the anomaly profile, or the rule's own evidence. */
export function WhySection({ finding }: { finding: Json }) {
  const intel = path(finding, 'service', 'evidence', 'threatIntelligenceDetails');
  const info = path(finding, 'service', 'additionalInfo');
  const anomaly = path(finding, 'service', 'detection', 'anomaly');
  const ruleEvidence = isObj(info) && isObj(info['evidence']) ? info['evidence'] : null;
  const intelRows = Array.isArray(intel) ? (intel as Json[]) : [];
  const unusual = isObj(anomaly) ? path(anomaly, 'unusual', 'behavior') : null;
  if (
    intelRows.length === 0 &&
    !ruleEvidence &&
    !isObj(unusual) &&
    !(isObj(info) && (info['threatListName'] || info['unusual']))
  )
    return null;
  return (
    <Section title="Why this fired" testId="why-section">
      {intelRows.map((t, i) => (
        <KV
          key={i}
          rows={[
            ['Threat list', t['threatListName']],
            ['Threat names', Array.isArray(t['threatNames']) ? (t['threatNames'] as unknown[]).join(', ') : null],
            ['List SHA-256', t['threatFileSha256']],
          ]}
          mono={['List SHA-256']}
        />
      ))}
      {isObj(info) && intelRows.length === 0 ? (
        <KV
          rows={[
            ['Threat list', info['threatListName']],
            ['Threat name', info['threatName']],
            ['Matched entry', info['threatEntry']],
            ['Unusual', info['unusual']],
          ]}
        />
      ) : null}
      {isObj(unusual)
        ? Object.entries(unusual).map(([scope, features]) =>
            isObj(features)
              ? Object.entries(features).map(([feature, profile]) => (
                  <KV
                    key={`${scope}.${feature}`}
                    rows={[
                      [`${scope} · ${feature}`, isObj(profile) ? profile['profileSubtype'] : profile],
                      ['Observed', isObj(profile) ? path(profile, 'observations', 'text') : null],
                    ]}
                  />
                ))
              : null,
          )
        : null}
      {ruleEvidence ? <KV rows={Object.entries(ruleEvidence)} /> : null}
    </Section>
  );
}

export function RunbookSection({ finding }: { finding: Json }) {
  const info = path(finding, 'service', 'additionalInfo');
  if (!isObj(info)) return null;
  const runbook = Array.isArray(info['runbook']) ? (info['runbook'] as unknown[]).map(String) : [];
  const mitre = Array.isArray(info['mitre']) ? (info['mitre'] as unknown[]).map(String) : [];
  if (runbook.length === 0 && mitre.length === 0) return null;
  return (
    <Section
      title="Runbook"
      right={
        mitre.length
          ? mitre.map((m) => (
              <span key={m} className="tag mono" title="MITRE ATT&CK tactic:technique">
                {m}
              </span>
            ))
          : null
      }
      testId="runbook-section"
    >
      {runbook.length ? (
        <div className="runbook">
          <ol>
            {runbook.map((step, i) => (
              <li key={i}>{step}</li>
            ))}
          </ol>
        </div>
      ) : null}
      {info['ruleId'] ? (
        <div className="dim" style={{ marginTop: 6 }}>
          Rule <span className="mono">{String(info['ruleId'])}</span>
        </div>
      ) : null}
    </Section>
  );
}

export function InvestigateSection({ entities }: { entities: NamedEntity[] }) {
  if (entities.length === 0) return null;
  return (
    <Section title="Investigate" testId="pivots">
      {entities.map((e) => (
        <div key={`${e.kind}:${e.value}`} className="entity-row">
          <span className="kind">{e.label}</span>
          <span className="value">
            <Copyable value={e.value} mono />
          </span>
          <PivotButtons entity={{ kind: e.kind, value: e.value }} />
        </div>
      ))}
    </Section>
  );
}
