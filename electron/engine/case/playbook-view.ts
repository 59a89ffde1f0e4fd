import type { PlaybookView } from '../../../shared/api/schemas';
import type { GuardDutyFinding } from '../../../shared/findings/guardduty';
import { renderPlaybookScript } from '../export/playbook-script';
import { commandLine, playbookFor } from '../export/playbooks';

/** `findings:playbook`: one finding's remediation steps as shell lines, plus the whole script. */
export function playbookView(finding: GuardDutyFinding, options: { caseName?: string } = {}): PlaybookView {
  const playbook = playbookFor(finding);
  return {
    findingId: playbook.findingId,
    type: playbook.type,
    title: playbook.title,
    severity: playbook.severity,
    severityLabel: playbook.severityLabel,
    accountId: playbook.accountId,
    region: playbook.region,
    summary: playbook.summary,
    steps: playbook.steps.map((step) => ({
      title: step.title,
      detail: step.detail,
      commands: step.commands.map((c) => ({
        line: commandLine(c),
        commented: c.commented ?? false,
        note: c.note ?? null,
      })),
    })),
    script: renderPlaybookScript([playbook], { caseName: options.caseName }),
  };
}
