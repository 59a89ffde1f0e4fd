import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderPlaybookScript } from '../../../electron/engine/export/playbook-script';
import { commandLine, playbookFor } from '../../../electron/engine/export/playbooks';
import { renderCommand, shellComment, shellQuote } from '../../../electron/engine/export/shell';
import {
  ALL,
  bucketPublic,
  dnsC2,
  HOSTILE,
  hostile,
  maliciousIpUserKey,
  sshBruteForce,
  torCallerRole,
  trailStopped,
} from './fixtures';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-playbook-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function bash(script: string, env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('bash', ['-c', script], {
    cwd: dir,
    env: { PATH: process.env['PATH'], ...env },
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const allCommands = (f: ReturnType<typeof sshBruteForce>) =>
  playbookFor(f).steps.flatMap((s) => s.commands.map(commandLine));

describe('shell quoting', () => {
  it('passes every value to the command exactly as it was, whatever it contains', () => {
    const values = [
      HOSTILE,
      "it's",
      '$HOME',
      '`id`',
      'a\nb',
      'tab\there',
      '',
      ' ',
      '\\',
      "'",
      '%s',
      '!event',
      'naïve ünïcödé',
      '-rf',
    ];
    // One bash run for all values (spawning is slow): each arrives NUL-terminated.
    const out = bash(values.map((v) => renderCommand(['printf', '%s\\0', v])).join('\n'));
    expect(out.status).toBe(0);
    expect(out.stdout.split('\0').slice(0, -1)).toEqual(values);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });

  it('keeps every command on one line and every comment a comment', () => {
    expect(shellQuote('a\nb')).toBe("$'a\\x0ab'");
    expect(shellQuote('plain-value_1.2/x')).toBe('plain-value_1.2/x');
    expect(shellComment('line one\nrm -rf /')).toBe('# line one rm -rf /');
    const out = bash(`${shellComment(HOSTILE)}\necho ok`);
    expect(out.stdout).toBe('ok\n');
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });
});

describe('playbooks', () => {
  it('disables and rotates an IAM user key, and denies the malicious caller', () => {
    const lines = allCommands(maliciousIpUserKey());
    expect(lines).toContain(
      'aws iam update-access-key --user-name alice --access-key-id AKIAEXAMPLE00001 --status Inactive',
    );
    expect(lines).toContain('# aws iam delete-access-key --user-name alice --access-key-id AKIAEXAMPLE00001');
    expect(lines.find((l) => l.includes('LoupeDenyCallerIp'))).toContain('203.0.113.99/32');
  });

  it("revokes a role's sessions with a deny on aws:TokenIssueTime", () => {
    const lines = allCommands(torCallerRole());
    expect(lines).toContain('REVOKE_BEFORE=$(date -u +%Y-%m-%dT%H:%M:%SZ)');
    expect(lines.some((l) => l.startsWith('REVOKE_POLICY=$(printf ') && l.includes('aws:TokenIssueTime'))).toBe(true);
    expect(lines).toContain(
      'aws iam put-role-policy --role-name deploy-role --policy-name AWSRevokeOlderSessions --policy-document "$REVOKE_POLICY"',
    );
    // The policy the step builds is valid JSON with the time filled in.
    const printf = lines.find((l) => l.startsWith('REVOKE_POLICY='))?.replace(/^REVOKE_POLICY=\$\((.*)\)$/, '$1') ?? '';
    const out = bash(`REVOKE_BEFORE=2025-02-01T00:00:00Z; ${printf}`);
    expect(JSON.parse(out.stdout)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Action: ['*'],
          Resource: ['*'],
          Condition: { DateLessThan: { 'aws:TokenIssueTime': '2025-02-01T00:00:00Z' } },
        },
      ],
    });
  });

  it('quarantines an instance, revokes its role and blocks the remote address at the NACL', () => {
    const p = playbookFor(sshBruteForce());
    expect(p.steps.map((s) => s.title)).toEqual([
      'Preserve evidence',
      'Isolate i-0ssh with a quarantine security group',
      "Revoke the sessions of i-0ssh's instance role",
      "Block 198.51.100.7 at the subnet's network ACL",
    ]);
    const lines = allCommands(sshBruteForce());
    expect(lines).toContain(
      'aws ec2 modify-instance-attribute --region us-east-1 --instance-id i-0ssh --groups "$QUARANTINE_SG"',
    );
    expect(
      lines.some(
        (l) => l.startsWith('QUARANTINE_SG=$(aws ec2 create-security-group') && l.includes('--vpc-id vpc-0123'),
      ),
    ).toBe(true);
    expect(
      lines.some(
        (l) =>
          l.includes('create-network-acl-entry') &&
          l.includes('--ingress') &&
          l.includes('--rule-action deny --cidr-block 198.51.100.7/32'),
      ),
    ).toBe(true);
    expect(lines.some((l) => l.includes('create-network-acl-entry') && l.includes('--egress'))).toBe(true);
    expect(lines.some((l) => l.startsWith('aws ec2 create-snapshots'))).toBe(true);
  });

  it('restores Block Public Access, re-enables CloudTrail and blocks a C2 domain', () => {
    expect(allCommands(bucketPublic())).toContain(
      'aws s3api put-public-access-block --bucket acme-data --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true',
    );
    expect(allCommands(trailStopped())).toContain(
      'aws cloudtrail start-logging --region us-east-1 --name arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail',
    );
    const dns = allCommands(dnsC2());
    expect(dns).toContain(
      'aws route53resolver update-firewall-domains --region us-east-1 --firewall-domain-list-id "$DOMAIN_LIST_ID" --operation ADD --domains c2.guarddutyc2activityb.com',
    );
    expect(dns.some((l) => l.includes('associate-firewall-rule-group') && l.includes('--vpc-id vpc-0123'))).toBe(true);
  });

  it('writes a script that refuses to run unreviewed and passes hostile values through intact', () => {
    const script = renderPlaybookScript(ALL().map(playbookFor), {
      caseName: HOSTILE,
      generatedAt: new Date('2025-02-05T00:00:00Z'),
    });
    const path = join(dir, 'playbook.sh');
    writeFileSync(path, script);
    expect(spawnSync('bash', ['-n', path]).status).toBe(0);

    const unreviewed = spawnSync('bash', [path], { cwd: dir, encoding: 'utf8' });
    expect(unreviewed.status).not.toBe(0);
    expect(unreviewed.stderr).toMatch(/LOUPE_PLAYBOOK_REVIEWED/);

    // A stand-in `aws` that logs its arguments (NUL-terminated, one end marker per call) and answers captures.
    const bin = join(dir, 'bin');
    spawnSync('mkdir', [bin]);
    writeFileSync(
      join(bin, 'aws'),
      `#!/usr/bin/env bash\nprintf '%s\\0' "$@" @@END@@ >> "${join(dir, 'aws.log')}"\necho stub-id\n`,
    );
    chmodSync(join(bin, 'aws'), 0o755);
    const run = spawnSync('bash', [path], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: `${bin}:${process.env['PATH'] ?? ''}`, LOUPE_PLAYBOOK_REVIEWED: 'yes', LOG_BUCKET: 'logs-bucket' },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Playbook finished.');
    expect(existsSync(join(dir, 'pwned'))).toBe(false);

    const calls: string[][] = [[]];
    for (const arg of readFileSync(join(dir, 'aws.log'), 'utf8').split('\0').slice(0, -1)) {
      if (arg === '@@END@@') calls.push([]);
      else calls.at(-1)?.push(arg);
    }
    expect(calls.length).toBeGreaterThan(20);
    // The hostile user name reached the CLI as one argument, byte for byte.
    const update = calls.find((c) => c[1] === 'update-access-key' && c.includes('AKIAHOSTILE00001'));
    expect(update?.[update.indexOf('--user-name') + 1]).toBe(hostile().resource.accessKeyDetails?.userName);
    // Commented-out commands did not run.
    expect(calls.some((c) => c[1] === 'delete-access-key')).toBe(false);
    expect(calls.some((c) => c[1] === 'put-bucket-acl')).toBe(false);
  });
});
