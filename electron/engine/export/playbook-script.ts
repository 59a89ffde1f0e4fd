import { commandLine, type Playbook } from './playbooks';
import { shellComment } from './shell';

/**
 * Playbooks as one bash script. It refuses to run until the reader sets
 * LOUPE_PLAYBOOK_REVIEWED=yes, stops at the first failing command (set -euo pipefail), and
 * keeps destructive commands commented out. Loupe itself only writes the file.
 */
export function renderPlaybookScript(
  playbooks: readonly Playbook[],
  options: { caseName?: string; generatedAt?: Date } = {},
): string {
  const lines: string[] = [
    '#!/usr/bin/env bash',
    shellComment(`Loupe remediation playbook${options.caseName ? ` for case "${options.caseName}"` : ''}`),
    shellComment(`Generated ${(options.generatedAt ?? new Date()).toISOString()} for ${playbooks.length} finding(s).`),
    '#',
    '# Loupe never runs these commands. Read every step, check it against your environment and',
    '# change it where needed, then run the steps you want yourself, with credentials allowed to',
    '# make the changes. Commented-out commands are destructive or need a decision first.',
    '',
    'set -euo pipefail',
    ': "${LOUPE_PLAYBOOK_REVIEWED:?Read this script first, then run it with LOUPE_PLAYBOOK_REVIEWED=yes}"',
    '',
  ];
  playbooks.forEach((p, i) => {
    lines.push(shellComment('='.repeat(94)));
    lines.push(shellComment(`Finding ${i + 1}/${playbooks.length}: ${p.type} (${p.severityLabel} ${p.severity})`));
    lines.push(shellComment(`Id ${p.findingId}, account ${p.accountId}, region ${p.region}`));
    lines.push(shellComment(p.title));
    lines.push(shellComment(p.summary));
    lines.push(shellComment('='.repeat(94)));
    p.steps.forEach((step, j) => {
      lines.push('');
      lines.push(shellComment(`Step ${j + 1}: ${step.title}`));
      lines.push(shellComment(step.detail));
      for (const c of step.commands) {
        if (c.note) lines.push(shellComment(c.note));
        lines.push(commandLine(c));
      }
    });
    lines.push('');
  });
  lines.push('echo "Playbook finished."');
  return lines.join('\n') + '\n';
}
