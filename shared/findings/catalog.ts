/**
 * GuardDuty's finding types for the foundational sources (CloudTrail management and S3 data
 * events, VPC Flow Logs, DNS logs), under their exact names, with the default severity of each
 * on GuardDuty's numeric scale. Context rules that raise or lower a severity (actor vs target,
 * port 9200/9300, ...) live with the rule or analyzer that emits the type.
 */
export type LogSource = 'cloudtrail' | 'vpcflow' | 'dns';
export type ResourceType = 'AccessKey' | 'Instance' | 'S3Bucket' | 'AttackSequence';
export type ActionType = 'AWS_API_CALL' | 'NETWORK_CONNECTION' | 'DNS_REQUEST' | 'PORT_PROBE' | 'NONE';
export type Basis = 'rule' | 'intel' | 'custom-intel' | 'reputation' | 'anomaly' | 'correlation';

export interface FindingTypeInfo {
  type: string;
  source: LogSource;
  severity: number;
  resourceType: ResourceType;
  actionType: ActionType;
  basis: Basis;
}

const t = (
  type: string,
  source: LogSource,
  severity: number,
  resourceType: ResourceType,
  actionType: ActionType,
  basis: Basis,
): FindingTypeInfo => ({ type, source, severity, resourceType, actionType, basis });

const ec2Flow = (type: string, severity: number, basis: Basis, action: ActionType = 'NETWORK_CONNECTION') =>
  t(type, 'vpcflow', severity, 'Instance', action, basis);
const ec2Dns = (type: string, severity: number, basis: Basis) =>
  t(type, 'dns', severity, 'Instance', 'DNS_REQUEST', basis);
const iam = (type: string, severity: number, basis: Basis) =>
  t(type, 'cloudtrail', severity, 'AccessKey', 'AWS_API_CALL', basis);
const s3 = (type: string, severity: number, basis: Basis) =>
  t(type, 'cloudtrail', severity, 'S3Bucket', 'AWS_API_CALL', basis);

export const FINDING_TYPES: readonly FindingTypeInfo[] = [
  // EC2, VPC Flow Logs
  ec2Flow('Backdoor:EC2/C&CActivity.B', 8, 'intel'),
  ec2Flow('Backdoor:EC2/DenialOfService.Dns', 8, 'rule'),
  ec2Flow('Backdoor:EC2/DenialOfService.Tcp', 8, 'rule'),
  ec2Flow('Backdoor:EC2/DenialOfService.Udp', 8, 'rule'),
  ec2Flow('Backdoor:EC2/DenialOfService.UdpOnTcpPorts', 8, 'rule'),
  ec2Flow('Backdoor:EC2/DenialOfService.UnusualProtocol', 8, 'rule'),
  ec2Flow('Backdoor:EC2/Spambot', 5, 'anomaly'),
  ec2Flow('Behavior:EC2/NetworkPortUnusual', 5, 'anomaly'),
  ec2Flow('Behavior:EC2/TrafficVolumeUnusual', 5, 'anomaly'),
  ec2Flow('CryptoCurrency:EC2/BitcoinTool.B', 8, 'intel'),
  ec2Flow('DefenseEvasion:EC2/UnusualDNSResolver', 5, 'anomaly'),
  ec2Flow('DefenseEvasion:EC2/UnusualDoHActivity', 5, 'anomaly'),
  ec2Flow('DefenseEvasion:EC2/UnusualDoTActivity', 5, 'anomaly'),
  ec2Flow('Impact:EC2/PortSweep', 8, 'rule'),
  ec2Flow('Impact:EC2/WinRMBruteForce', 2, 'rule'),
  ec2Flow('Recon:EC2/PortProbeEMRUnprotectedPort', 8, 'intel', 'PORT_PROBE'),
  ec2Flow('Recon:EC2/PortProbeUnprotectedPort', 2, 'intel', 'PORT_PROBE'),
  ec2Flow('Recon:EC2/Portscan', 5, 'rule'),
  ec2Flow('Trojan:EC2/BlackholeTraffic', 5, 'intel'),
  ec2Flow('Trojan:EC2/DropPoint', 5, 'intel'),
  ec2Flow('UnauthorizedAccess:EC2/MaliciousIPCaller.Custom', 5, 'custom-intel'),
  ec2Flow('UnauthorizedAccess:EC2/RDPBruteForce', 2, 'rule'),
  ec2Flow('UnauthorizedAccess:EC2/SSHBruteForce', 2, 'rule'),
  ec2Flow('UnauthorizedAccess:EC2/TorClient', 8, 'intel'),
  ec2Flow('UnauthorizedAccess:EC2/TorRelay', 8, 'intel'),
  // EC2, DNS logs
  ec2Dns('Backdoor:EC2/C&CActivity.B!DNS', 8, 'intel'),
  ec2Dns('CryptoCurrency:EC2/BitcoinTool.B!DNS', 8, 'intel'),
  ec2Dns('Impact:EC2/AbusedDomainRequest.Reputation', 5, 'reputation'),
  ec2Dns('Impact:EC2/BitcoinDomainRequest.Reputation', 8, 'reputation'),
  ec2Dns('Impact:EC2/MaliciousDomainRequest.Custom', 5, 'custom-intel'),
  ec2Dns('Impact:EC2/MaliciousDomainRequest.Reputation', 8, 'reputation'),
  ec2Dns('Impact:EC2/SuspiciousDomainRequest.Reputation', 2, 'reputation'),
  ec2Dns('Trojan:EC2/BlackholeTraffic!DNS', 5, 'intel'),
  ec2Dns('Trojan:EC2/DGADomainRequest.B', 8, 'anomaly'),
  ec2Dns('Trojan:EC2/DGADomainRequest.C!DNS', 8, 'intel'),
  ec2Dns('Trojan:EC2/DNSDataExfiltration', 8, 'rule'),
  ec2Dns('Trojan:EC2/DriveBySourceTraffic!DNS', 8, 'intel'),
  ec2Dns('Trojan:EC2/DropPoint!DNS', 5, 'intel'),
  ec2Dns('Trojan:EC2/PhishingDomainRequest!DNS', 8, 'intel'),
  ec2Dns('UnauthorizedAccess:EC2/MetadataDNSRebind', 8, 'rule'),
  // IAM, CloudTrail
  iam('CredentialAccess:IAMUser/AnomalousBehavior', 5, 'anomaly'),
  iam('DefenseEvasion:IAMUser/AnomalousBehavior', 5, 'anomaly'),
  iam('Discovery:IAMUser/AnomalousBehavior', 2, 'anomaly'),
  iam('Exfiltration:IAMUser/AnomalousBehavior', 8, 'anomaly'),
  iam('Impact:IAMUser/AnomalousBehavior', 8, 'anomaly'),
  iam('InitialAccess:IAMUser/AnomalousBehavior', 5, 'anomaly'),
  iam('Persistence:IAMUser/AnomalousBehavior', 5, 'anomaly'),
  iam('PrivilegeEscalation:IAMUser/AnomalousBehavior', 5, 'anomaly'),
  iam('PenTest:IAMUser/KaliLinux', 5, 'rule'),
  iam('PenTest:IAMUser/ParrotLinux', 5, 'rule'),
  iam('PenTest:IAMUser/PentooLinux', 5, 'rule'),
  iam('Policy:IAMUser/RootCredentialUsage', 2, 'rule'),
  iam('Policy:IAMUser/ShortTermRootCredentialUsage', 2, 'rule'),
  iam('Recon:IAMUser/MaliciousIPCaller', 5, 'intel'),
  iam('Recon:IAMUser/MaliciousIPCaller.Custom', 5, 'custom-intel'),
  iam('Recon:IAMUser/TorIPCaller', 5, 'intel'),
  iam('Stealth:IAMUser/CloudTrailLoggingDisabled', 2, 'rule'),
  iam('Stealth:IAMUser/PasswordPolicyChange', 2, 'rule'),
  iam('UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B', 5, 'rule'),
  iam('UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS', 8, 'rule'),
  iam('UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS', 8, 'rule'),
  iam('UnauthorizedAccess:IAMUser/MaliciousIPCaller', 5, 'intel'),
  iam('UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom', 5, 'custom-intel'),
  iam('UnauthorizedAccess:IAMUser/TorIPCaller', 5, 'intel'),
  // S3
  s3('Discovery:S3/AnomalousBehavior', 2, 'anomaly'),
  s3('Discovery:S3/MaliciousIPCaller', 8, 'intel'),
  s3('Discovery:S3/MaliciousIPCaller.Custom', 8, 'custom-intel'),
  s3('Discovery:S3/TorIPCaller', 5, 'intel'),
  s3('Exfiltration:S3/AnomalousBehavior', 8, 'anomaly'),
  s3('Exfiltration:S3/MaliciousIPCaller', 8, 'intel'),
  s3('Impact:S3/AnomalousBehavior.Delete', 8, 'anomaly'),
  s3('Impact:S3/AnomalousBehavior.Permission', 8, 'anomaly'),
  s3('Impact:S3/AnomalousBehavior.Write', 5, 'anomaly'),
  s3('Impact:S3/MaliciousIPCaller', 8, 'intel'),
  s3('PenTest:S3/KaliLinux', 5, 'rule'),
  s3('PenTest:S3/ParrotLinux', 5, 'rule'),
  s3('PenTest:S3/PentooLinux', 5, 'rule'),
  s3('Policy:S3/AccountBlockPublicAccessDisabled', 2, 'rule'),
  s3('Policy:S3/BucketAnonymousAccessGranted', 8, 'rule'),
  s3('Policy:S3/BucketBlockPublicAccessDisabled', 2, 'rule'),
  s3('Policy:S3/BucketPublicAccessGranted', 8, 'rule'),
  s3('Stealth:S3/ServerAccessLoggingDisabled', 2, 'rule'),
  s3('UnauthorizedAccess:S3/MaliciousIPCaller.Custom', 8, 'custom-intel'),
  s3('UnauthorizedAccess:S3/TorIPCaller', 8, 'intel'),
  // Extended Threat Detection
  t('AttackSequence:IAM/CompromisedCredentials', 'cloudtrail', 9, 'AttackSequence', 'NONE', 'correlation'),
  t('AttackSequence:S3/CompromisedData', 'cloudtrail', 9, 'AttackSequence', 'NONE', 'correlation'),
];

const byType = new Map(FINDING_TYPES.map((info) => [info.type, info]));

export function findingTypeInfo(type: string): FindingTypeInfo | undefined {
  return byType.get(type);
}

export function isKnownFindingType(type: string): boolean {
  return byType.has(type);
}

export type SeverityLabel = 'Low' | 'Medium' | 'High' | 'Critical';

/** GuardDuty's documented bands: Low 1.0-3.9, Medium 4.0-6.9, High 7.0-8.9, Critical 9.0-10.0. */
export function severityLabel(severity: number): SeverityLabel {
  if (severity >= 9) return 'Critical';
  if (severity >= 7) return 'High';
  if (severity >= 4) return 'Medium';
  return 'Low';
}
