/**
 * GuardDuty type -> ASFF `Types` entry ("namespace[/category]/classifier"), following the table
 * GuardDuty publishes for its Security Hub integration (guardduty.md 5.4): the classifier is the
 * GuardDuty type with its resource '/' turned into '-'. Types the table lists get their
 * documented prefix; newer types (AnomalousBehavior, DefenseEvasion:EC2, ...) get one derived
 * from their threat purpose, which is how the documented entries are built.
 */
const DOCUMENTED_PREFIX: Record<string, string> = {
  'Impact:EC2/PortSweep': 'TTPs/Impact',
  'Impact:EC2/WinRMBruteForce': 'TTPs/Impact',
  'Policy:S3/BucketBlockPublicAccessDisabled': 'Effects/Data Exposure',
  'Trojan:EC2/DriveBySourceTraffic!DNS': 'TTPs/Initial Access',
  'Trojan:EC2/DropPoint': 'Effects/Data Exfiltration',
  'Trojan:EC2/DropPoint!DNS': 'Effects/Data Exfiltration',
  'UnauthorizedAccess:EC2/MetadataDNSRebind': 'TTPs',
  'UnauthorizedAccess:EC2/RDPBruteForce': 'TTPs/Initial Access',
  'UnauthorizedAccess:EC2/SSHBruteForce': 'TTPs/Initial Access',
  'UnauthorizedAccess:EC2/TorClient': 'Effects/Resource Consumption',
  'UnauthorizedAccess:EC2/TorRelay': 'Effects/Resource Consumption',
  'UnauthorizedAccess:EC2/MaliciousIPCaller.Custom': 'TTPs/Command and Control',
  'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B': 'TTPs',
  'UnauthorizedAccess:IAMUser/MaliciousIPCaller': 'TTPs',
  'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom': 'TTPs',
  'UnauthorizedAccess:IAMUser/TorIPCaller': 'TTPs/Command and Control',
  'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS': 'Effects/Data Exfiltration',
  'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS': 'Effects/Data Exfiltration',
};

/** The one documented entry whose classifier is not the plain rewrite of the type. */
const DOCUMENTED_EXACT: Record<string, string> = {
  'Trojan:EC2/DNSDataExfiltration': 'TTPs/Command and Control/Trojan:EC2-DNSDataExfiltration!DNS',
};

/** Threat purpose (and resource family where the table differs by it) -> prefix. */
function prefixByPurpose(purpose: string, resource: string): string {
  const s3 = resource === 'S3';
  switch (purpose) {
    case 'Backdoor':
    case 'CryptoCurrency':
    case 'Trojan':
      return 'TTPs/Command and Control';
    case 'Behavior':
      return 'Unusual Behaviors/VM';
    case 'Recon':
      return 'TTPs/Discovery';
    case 'Discovery':
      return s3 ? 'TTPs' : 'TTPs/Discovery';
    case 'Exfiltration':
      return s3 ? 'TTPs' : 'Effects/Data Exfiltration';
    case 'Impact':
      return s3 ? 'TTPs' : 'TTPs/Impact';
    case 'Stealth':
    case 'DefenseEvasion':
      return 'TTPs/Defense Evasion';
    case 'Persistence':
      return 'TTPs/Persistence';
    case 'PrivilegeEscalation':
      return 'TTPs/Privilege Escalation';
    case 'CredentialAccess':
      return 'TTPs/Credential Access';
    case 'InitialAccess':
      return 'TTPs/Initial Access';
    default:
      // PenTest, Policy, UnauthorizedAccess, AttackSequence and anything new.
      return 'TTPs';
  }
}

export function asffType(guardDutyType: string): string {
  const exact = DOCUMENTED_EXACT[guardDutyType];
  if (exact) return exact;
  const classifier = guardDutyType.replace('/', '-');
  const documented = DOCUMENTED_PREFIX[guardDutyType];
  if (documented) return `${documented}/${classifier}`;
  const match = /^([A-Za-z]+):([A-Za-z0-9]+)\//.exec(guardDutyType);
  const purpose = match?.[1] ?? '';
  const resource = match?.[2] ?? '';
  return `${prefixByPurpose(purpose, resource)}/${classifier}`;
}
