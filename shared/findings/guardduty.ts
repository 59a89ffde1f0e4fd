/**
 * GuardDuty's finding JSON (schemaVersion 2.0), the subset Loupe emits for the foundational
 * sources. Field names and nesting follow the API model exactly so exports are drop-in.
 */
export interface IpDetails {
  ipAddressV4?: string;
  ipAddressV6?: string;
  organization?: { asn?: string; asnOrg?: string; isp?: string; org?: string };
  country?: { countryCode?: string; countryName?: string };
  city?: { cityName?: string };
  geoLocation?: { lat: number; lon: number };
}

export interface PortDetails {
  port: number;
  portName: string;
}

export interface AwsApiCallAction {
  api: string;
  serviceName: string;
  callerType?: string;
  errorCode?: string;
  userAgent?: string;
  remoteIpDetails?: IpDetails;
  remoteAccountDetails?: { accountId: string; affiliated: boolean };
  domainDetails?: { domain: string };
  affectedResources?: Record<string, string>;
}

export interface NetworkConnectionAction {
  connectionDirection: 'INBOUND' | 'OUTBOUND' | 'UNKNOWN';
  protocol: string;
  blocked: boolean;
  localPortDetails?: PortDetails;
  remotePortDetails?: PortDetails;
  localIpDetails?: { ipAddressV4?: string; ipAddressV6?: string };
  localNetworkInterface?: string;
  remoteIpDetails?: IpDetails;
}

export interface PortProbeAction {
  blocked: boolean;
  portProbeDetails: Array<{
    localPortDetails: PortDetails;
    localIpDetails?: { ipAddressV4?: string };
    remoteIpDetails?: IpDetails;
  }>;
}

export interface DnsRequestAction {
  domain: string;
  domainWithSuffix?: string;
  protocol?: string;
  blocked: boolean;
  vpcOwnerAccountId?: string;
}

export interface FindingAction {
  actionType: 'AWS_API_CALL' | 'NETWORK_CONNECTION' | 'DNS_REQUEST' | 'PORT_PROBE';
  awsApiCallAction?: AwsApiCallAction;
  networkConnectionAction?: NetworkConnectionAction;
  portProbeAction?: PortProbeAction;
  dnsRequestAction?: DnsRequestAction;
}

export interface ThreatIntelligenceDetail {
  threatListName: string;
  threatNames: string[];
  threatFileSha256?: string;
}

export interface AnomalyProfileEntry {
  profileType: 'FREQUENCY';
  profileSubtype: 'FREQUENT' | 'INFREQUENT' | 'RARE' | 'UNSEEN';
  observations?: { text: string[] };
}

export interface FindingService {
  serviceName: 'guardduty';
  detectorId: string;
  featureName?: string;
  resourceRole: 'TARGET' | 'ACTOR';
  archived: boolean;
  count: number;
  eventFirstSeen: string;
  eventLastSeen: string;
  action?: FindingAction;
  evidence?: { threatIntelligenceDetails: ThreatIntelligenceDetail[] };
  additionalInfo?: { value: string; type: 'default'; [key: string]: unknown };
  detection?: {
    anomaly?: {
      profiles?: Record<string, Record<string, AnomalyProfileEntry[]>>;
      unusual?: { behavior?: Record<string, Record<string, AnomalyProfileEntry>> };
    };
    sequence?: Record<string, unknown>;
  };
}

export interface AccessKeyDetails {
  accessKeyId?: string;
  principalId?: string;
  userName?: string;
  userType?: string;
}

export interface InstanceDetails {
  instanceId: string;
  networkInterfaces?: Array<{
    networkInterfaceId?: string;
    privateIpAddress?: string;
    vpcId?: string;
    subnetId?: string;
    publicIp?: string;
  }>;
  iamInstanceProfile?: { arn?: string; id?: string };
}

export interface S3BucketDetail {
  arn: string;
  name: string;
  type: 'Destination' | 'Source';
  publicAccess?: {
    effectivePermission: 'PUBLIC' | 'NOT_PUBLIC' | 'UNKNOWN';
    permissionConfiguration?: Record<string, unknown>;
  };
  s3ObjectDetails?: Array<{ objectArn?: string; key: string }>;
}

export interface FindingResource {
  resourceType: 'AccessKey' | 'Instance' | 'S3Bucket' | 'AttackSequence';
  accessKeyDetails?: AccessKeyDetails;
  instanceDetails?: InstanceDetails;
  s3BucketDetails?: S3BucketDetail[];
}

export interface GuardDutyFinding {
  schemaVersion: '2.0';
  accountId: string;
  region: string;
  partition: string;
  id: string;
  arn: string;
  type: string;
  title: string;
  description: string;
  severity: number;
  createdAt: string;
  updatedAt: string;
  resource: FindingResource;
  service: FindingService;
}

/** The detector id Loupe writes into every finding: fixed so ARNs are stable across runs. */
export const LOUPE_DETECTOR_ID = '10ce0ff11e0000000000000000000000';
