import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contract } from '../../../shared/api/contract';
import type { Database } from '../../../electron/engine/db/database';
import { listAccounts } from '../../../electron/engine/case/accounts';
import { emptyCaseState } from '../../../electron/engine/workspace/case-state';
import { addFile, addFinding, openCaseDb } from './case-fixture';

/**
 * accounts:list over real DuckDB: findings per account and region, and the organisation
 * inferred from Organizations / GuardDuty / STS events and from org-trail folders.
 */
const MGMT = '111111111111';
const ADMIN = '222222222222';
const MEMBER = '333333333333';
const INVITED = '444444444444';
let db: Database;
let n = 0;

async function event(e: {
  source: string;
  name: string;
  recipient: string;
  caller?: string;
  request?: unknown;
  response?: unknown;
  error?: string;
}): Promise<void> {
  n++;
  await db.run(
    `INSERT INTO cloudtrail (event_uid, event_time, event_source, event_name, recipient_account_id, account_id,
                             error_code, read_only, request_parameters, response_elements, aws_region, file_id, position)
     VALUES ($uid, TIMESTAMPTZ '2024-05-01 10:00:00+00', $source, $name, $recipient, $caller, $error, false,
             CAST($request AS JSON), CAST($response AS JSON), 'us-east-1', 1, $n)`,
    {
      uid: `e-${n}`,
      source: e.source,
      name: e.name,
      recipient: e.recipient,
      caller: e.caller ?? e.recipient,
      error: e.error ?? null,
      request: JSON.stringify(e.request ?? null),
      response: JSON.stringify(e.response ?? null),
      n,
    },
  );
}

beforeEach(async () => {
  db = await openCaseDb();
  await addFile(db, {
    id: 1,
    path: `/logs/AWSLogs/o-abcdefghij/${MEMBER}/CloudTrail/us-east-1/f.json.gz`,
    account: MEMBER,
  });
  await event({
    source: 'organizations.amazonaws.com',
    name: 'DescribeOrganization',
    recipient: MGMT,
    response: { organization: { id: 'o-abcdefghij', masterAccountId: MGMT } },
  });
  await event({
    source: 'guardduty.amazonaws.com',
    name: 'EnableOrganizationAdminAccount',
    recipient: MGMT,
    request: { adminAccountId: ADMIN },
  });
  await event({
    source: 'guardduty.amazonaws.com',
    name: 'CreateMembers',
    recipient: ADMIN,
    request: { detectorId: 'd', accountDetails: [{ accountId: MEMBER, email: 'x@example.com' }] },
  });
  await event({
    source: 'organizations.amazonaws.com',
    name: 'InviteAccountToOrganization',
    recipient: MGMT,
    request: { target: { id: INVITED, type: 'ACCOUNT' } },
  });
  // A failed call proves nothing.
  await event({
    source: 'organizations.amazonaws.com',
    name: 'CreateAccount',
    recipient: MEMBER,
    error: 'AccessDenied',
  });
  await event({
    source: 'sts.amazonaws.com',
    name: 'AssumeRole',
    recipient: MEMBER,
    caller: MGMT,
    request: { roleArn: `arn:aws:iam::${MEMBER}:role/OrganizationAccountAccessRole`, roleSessionName: 's' },
  });
  const seen = { firstSeen: '2024-05-01T00:00:00Z', lastSeen: '2024-05-01T01:00:00Z' };
  await addFinding(db, { id: 'f1', type: 'Recon:IAMUser/TorIPCaller', severity: 5, account: MEMBER, ...seen });
  await addFinding(db, {
    id: 'f2',
    type: 'Recon:IAMUser/TorIPCaller',
    severity: 8,
    account: MEMBER,
    region: 'eu-west-1',
    ...seen,
  });
  await addFinding(db, {
    id: 'f3',
    type: 'Recon:IAMUser/TorIPCaller',
    severity: 2,
    account: MGMT,
    archived: true,
    ...seen,
  });
});
afterEach(() => db.close());

describe('accounts:list', () => {
  it('infers management, GuardDuty administrator and members from the logs, with the evidence', async () => {
    const list = await listAccounts(db, emptyCaseState('t'));
    expect(contract['accounts:list'].output.parse(list)).toEqual(list);
    const role = (id: string) => list.accounts.find((a) => a.accountId === id);
    expect(role(MGMT)).toMatchObject({ role: 'management', roleSource: 'logs', inLogs: true });
    expect(role(MGMT)?.evidence.join('\n')).toContain('DescribeOrganization');
    expect(role(MGMT)?.evidence.join('\n')).toContain(`assumed OrganizationAccountAccessRole in ${MEMBER}`);
    expect(role(ADMIN)).toMatchObject({ role: 'administrator', roleSource: 'logs' });
    expect(role(MEMBER)).toMatchObject({ role: 'member', roleSource: 'logs' });
    expect(role(MEMBER)?.evidence.join('\n')).toContain('organization trail folder o-abcdefghij');
    // Named only by another account's events: listed, marked as not in the logs.
    expect(role(INVITED)).toMatchObject({ role: 'member', inLogs: false });
    expect(list.organization).toMatchObject({
      id: 'o-abcdefghij',
      managementAccountId: MGMT,
      administratorAccountId: ADMIN,
      source: 'logs',
    });
    expect(list.organization.memberAccountIds.sort()).toEqual([MEMBER, INVITED].sort());
  });

  it('counts findings per account and region, archived left out unless asked', async () => {
    const list = await listAccounts(db, emptyCaseState('t'));
    const member = list.accounts.find((a) => a.accountId === MEMBER);
    expect(member?.totals).toMatchObject({ findings: 2, Medium: 1, High: 1 });
    expect(member?.regions.map((r) => r.region).sort()).toEqual(['eu-west-1', 'us-east-1']);
    expect(list.accounts.find((a) => a.accountId === MGMT)?.totals.findings).toBe(0);
    const all = await listAccounts(db, emptyCaseState('t'), 'include');
    expect(all.accounts.find((a) => a.accountId === MGMT)?.totals.findings).toBe(1);
  });

  it('lets the analyst set roles, names and the organisation in the case', async () => {
    const state = {
      ...emptyCaseState('t'),
      accounts: [{ accountId: ADMIN, name: 'security', role: 'member' as const }],
      organization: { id: 'o-zzzzzzzzzz', managementAccountId: '555555555555' },
    };
    const list = await listAccounts(db, state);
    expect(list.accounts.find((a) => a.accountId === ADMIN)).toMatchObject({
      name: 'security',
      role: 'member',
      roleSource: 'user',
    });
    expect(list.accounts.find((a) => a.accountId === '555555555555')).toMatchObject({
      role: 'management',
      roleSource: 'user',
    });
    expect(list.organization).toMatchObject({
      id: 'o-zzzzzzzzzz',
      managementAccountId: '555555555555',
      source: 'mixed',
    });
  });

  it("reads the case's settings after its queries, so an edit made meanwhile is in the answer", async () => {
    let settings = emptyCaseState('t');
    const asked = listAccounts(db, () => settings);
    settings = { ...settings, accounts: [{ accountId: INVITED, role: 'management' as const }] };
    const list = await asked;
    // The logs name the organisation's management account; the analyst's role for another is added.
    expect(list.organization.source).toBe('mixed');
    expect(list.accounts.find((a) => a.accountId === INVITED)).toMatchObject({
      role: 'management',
      roleSource: 'user',
    });
  });

  it('answers for a case with no CloudTrail table facts: every account unknown, no organisation', async () => {
    await db.run(`DELETE FROM cloudtrail`);
    await db.run(`DELETE FROM files`);
    const list = await listAccounts(db, emptyCaseState('t'));
    expect(list.organization.source).toBe('none');
    expect(list.accounts.every((a) => a.role === 'unknown')).toBe(true);
  });
});
