import type { AccountEntry, AccountsList, CaseState, OrganizationInfo } from '../../../shared/api/schemas';
import type { Database } from '../db/database';
import { accountsOverview } from '../investigate/accounts';
import { sourceTables } from './source-tables';

/**
 * `accounts:list`: every account of the case with its findings per region, and the
 * organisation as far as the logs tell it (or as the analyst set it in case.json, which wins).
 *
 * What the logs tell, as (account, role, reason) evidence rows, all in SQL:
 * - Organizations calls only the management account can make succeed there (CreateAccount,
 *   InviteAccountToOrganization, EnableAWSServiceAccess, RegisterDelegatedAdministrator...);
 *   DescribeOrganization / CreateOrganization answers name it (`masterAccountId`) and the org id;
 * - the GuardDuty administrator: guardduty:EnableOrganizationAdminAccount (`adminAccountId`),
 *   or organizations:RegisterDelegatedAdministrator for guardduty.amazonaws.com;
 * - members: guardduty:CreateMembers / InviteMembers, organizations:InviteAccountToOrganization
 *   and CreateAccount answers, AcceptHandshake in the member itself, and logs delivered under an
 *   organisation trail folder (`AWSLogs/o-.../<account>/`);
 * - cross-account access: an account whose principals assume OrganizationAccountAccessRole in
 *   another (the role Organizations creates in members for the management account).
 */
type Evidence = {
  account_id: string;
  role: 'management' | 'administrator' | 'member';
  reason: string;
  org_id: string | null;
};

const READ = { timeoutMs: 60_000 };

const MANAGEMENT_ONLY = [
  'CreateAccount',
  'CreateGovCloudAccount',
  'InviteAccountToOrganization',
  'CreateOrganization',
  'EnableAWSServiceAccess',
  'DisableAWSServiceAccess',
  'RegisterDelegatedAdministrator',
  'DeregisterDelegatedAdministrator',
  'RemoveAccountFromOrganization',
  'EnableAllFeatures',
  'CloseAccount',
];

async function logEvidence(db: Database): Promise<Evidence[]> {
  const parts: string[] = [
    // Organisation trail folders: AWSLogs/o-xxxxxxxxxx/<account>/...
    `SELECT account_id, 'member' AS role,
            'logs delivered under the organization trail folder ' || org_id AS reason, org_id
       FROM (SELECT account_id, regexp_extract(path, '/AWSLogs/(o-[a-z0-9]{10,32})/[0-9]{12}/', 1) AS org_id
               FROM files WHERE account_id IS NOT NULL)
      WHERE org_id <> '' GROUP BY ALL`,
  ];
  const tables = await sourceTables(db);
  const trail = tables.find((t) => t.source === 'cloudtrail');
  const needed = ['event_source', 'event_name', 'recipient_account_id', 'account_id', 'error_code'];
  if (trail && needed.every((c) => trail.columns.has(c))) {
    const ok = `error_code IS NULL`;
    parts.push(
      `SELECT recipient_account_id, 'management',
              'called organizations:' || event_name || ' (only the management account can)', NULL
         FROM cloudtrail
        WHERE event_source = 'organizations.amazonaws.com' AND ${ok}
          AND list_contains(from_json($management_only::JSON, '["VARCHAR"]'), event_name)
          AND recipient_account_id IS NOT NULL
        GROUP BY ALL`,
      `SELECT coalesce(json_extract_string(response_elements, '$.organization.masterAccountId'),
                       json_extract_string(response_elements, '$.organization.managementAccountId')),
              'management', 'named the management account by organizations:' || event_name,
              json_extract_string(response_elements, '$.organization.id')
         FROM cloudtrail
        WHERE event_source = 'organizations.amazonaws.com' AND ${ok}
          AND event_name IN ('DescribeOrganization', 'CreateOrganization')
        GROUP BY ALL`,
      `SELECT json_extract_string(request_parameters, '$.adminAccountId'), 'administrator',
              'made GuardDuty administrator by guardduty:EnableOrganizationAdminAccount in ' || recipient_account_id, NULL
         FROM cloudtrail
        WHERE event_source = 'guardduty.amazonaws.com' AND event_name = 'EnableOrganizationAdminAccount' AND ${ok}
        GROUP BY ALL`,
      `SELECT json_extract_string(request_parameters, '$.accountId'), 'administrator',
              'registered as delegated administrator for GuardDuty by ' || recipient_account_id, NULL
         FROM cloudtrail
        WHERE event_source = 'organizations.amazonaws.com' AND event_name = 'RegisterDelegatedAdministrator' AND ${ok}
          AND json_extract_string(request_parameters, '$.servicePrincipal') = 'guardduty.amazonaws.com'
        GROUP BY ALL`,
      `SELECT unnest(json_extract_string(request_parameters, '$.accountDetails[*].accountId')), 'member',
              'added as a GuardDuty member by ' || recipient_account_id || ' (guardduty:CreateMembers)', NULL
         FROM cloudtrail
        WHERE event_source = 'guardduty.amazonaws.com' AND event_name = 'CreateMembers' AND ${ok}`,
      `SELECT unnest(json_extract_string(request_parameters, '$.accountIds[*]')), 'member',
              'invited as a GuardDuty member by ' || recipient_account_id || ' (guardduty:InviteMembers)', NULL
         FROM cloudtrail
        WHERE event_source = 'guardduty.amazonaws.com' AND event_name = 'InviteMembers' AND ${ok}`,
      `SELECT json_extract_string(request_parameters, '$.target.id'), 'member',
              'invited to the organization by ' || recipient_account_id, NULL
         FROM cloudtrail
        WHERE event_source = 'organizations.amazonaws.com' AND event_name = 'InviteAccountToOrganization' AND ${ok}
          AND json_extract_string(request_parameters, '$.target.type') = 'ACCOUNT'
        GROUP BY ALL`,
      `SELECT json_extract_string(response_elements, '$.createAccountStatus.accountId'), 'member',
              'created in the organization by ' || recipient_account_id, NULL
         FROM cloudtrail
        WHERE event_source = 'organizations.amazonaws.com' AND event_name = 'CreateAccount' AND ${ok}
        GROUP BY ALL`,
      `SELECT recipient_account_id, 'member', 'accepted an organization handshake (organizations:AcceptHandshake)', NULL
         FROM cloudtrail
        WHERE event_source = 'organizations.amazonaws.com' AND event_name = 'AcceptHandshake' AND ${ok}
        GROUP BY ALL`,
      `SELECT account_id, 'management',
              'assumed OrganizationAccountAccessRole in ' || recipient_account_id, NULL
         FROM cloudtrail
        WHERE event_source = 'sts.amazonaws.com' AND event_name = 'AssumeRole' AND ${ok}
          AND account_id IS NOT NULL AND account_id <> recipient_account_id
          AND ends_with(json_extract_string(request_parameters, '$.roleArn'), ':role/OrganizationAccountAccessRole')
        GROUP BY ALL`,
    );
  }
  const rows = await db.all<Evidence>(
    `SELECT DISTINCT account_id, role, reason, org_id
       FROM (${parts.join('\nUNION ALL\n')}) AS e(account_id, role, reason, org_id)
      WHERE regexp_full_match(account_id, '[0-9]{12}')
      ORDER BY account_id, role, reason`,
    trail ? { management_only: JSON.stringify(MANAGEMENT_ONLY) } : undefined,
    READ,
  );
  return rows;
}

const ROLE_ORDER = ['management', 'administrator', 'member'] as const;

type AccountSettings = Pick<CaseState, 'accounts' | 'organization'>;

/**
 * Every account the case knows, with its role and the evidence for it. `settings` may be a getter:
 * it is then read once the queries are done, so an edit made while they ran is in the answer.
 */
export async function listAccounts(
  db: Database,
  settings: AccountSettings | (() => AccountSettings),
  archived: 'exclude' | 'include' | 'only' = 'exclude',
): Promise<AccountsList> {
  const [overview, evidence] = await Promise.all([accountsOverview(db, archived), logEvidence(db)]);
  const state = typeof settings === 'function' ? settings() : settings;
  const info = new Map(state.accounts.map((a) => [a.accountId, a]));
  const ids = new Set<string>([
    ...overview.rows.map((r) => r.accountId),
    ...evidence.map((e) => e.account_id),
    ...state.accounts.map((a) => a.accountId),
  ]);
  const org = state.organization;
  for (const id of [org?.managementAccountId, org?.administratorAccountId]) if (id) ids.add(id);
  const inLogs = new Set(overview.rows.map((r) => r.accountId));

  const accounts: AccountEntry[] = [...ids].sort().map((accountId) => {
    const mine = evidence.filter((e) => e.account_id === accountId);
    const user = info.get(accountId);
    const userRole =
      user?.role ??
      (org?.managementAccountId === accountId
        ? 'management'
        : org?.administratorAccountId === accountId
          ? 'administrator'
          : undefined);
    const logRole = ROLE_ORDER.find((role) => mine.some((e) => e.role === role));
    const regions = overview.rows.filter((r) => r.accountId === accountId).map(({ accountId: _a, ...rest }) => rest);
    const totals = { Low: 0, Medium: 0, High: 0, Critical: 0, findings: 0, events: 0 };
    for (const r of regions) {
      totals.Low += r.Low;
      totals.Medium += r.Medium;
      totals.High += r.High;
      totals.Critical += r.Critical;
      totals.findings += r.findings;
      totals.events += r.events;
    }
    return {
      accountId,
      name: user?.name ?? null,
      environment: user?.environment ?? null,
      owner: user?.owner ?? null,
      role: userRole ?? logRole ?? 'unknown',
      roleSource: userRole ? 'user' : logRole ? 'logs' : 'none',
      evidence: mine.map((e) => `${e.role}: ${e.reason}`),
      inLogs: inLogs.has(accountId),
      regions,
      totals,
    };
  });
  return { accounts, organization: organizationOf(accounts, evidence, state.organization) };
}

function organizationOf(
  accounts: AccountEntry[],
  evidence: Evidence[],
  user: CaseState['organization'],
): OrganizationInfo {
  const first = (role: AccountEntry['role']) => accounts.find((a) => a.role === role)?.accountId ?? null;
  const logOrg = evidence.find((e) => e.org_id)?.org_id ?? null;
  const management = user?.managementAccountId ?? first('management');
  const administrator = user?.administratorAccountId ?? first('administrator');
  const members = accounts.filter((a) => a.role === 'member').map((a) => a.accountId);
  // A role the analyst gave one account counts as much as the organisation record itself.
  const fromUser =
    Boolean(user && (user.id || user.managementAccountId || user.administratorAccountId || user.name)) ||
    accounts.some((a) => a.roleSource === 'user');
  const fromLogs = evidence.length > 0;
  return {
    id: user?.id ?? logOrg,
    name: user?.name ?? null,
    managementAccountId: management,
    administratorAccountId: administrator,
    memberAccountIds: members,
    source: fromUser && fromLogs ? 'mixed' : fromUser ? 'user' : fromLogs ? 'logs' : 'none',
    evidence: evidence.map((e) => ({ accountId: e.account_id, role: e.role, reason: e.reason })),
  };
}
