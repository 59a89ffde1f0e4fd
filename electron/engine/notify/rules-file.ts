import { readFile } from 'node:fs/promises';
import { notificationRuleSchema, type NotificationRule } from '../../../shared/api/schemas';
import { LoupeError } from '../../../shared/errors';
import { describeIssues } from '../workspace/case-state';

/**
 * A notification rules file (`loupe scan --notify FILE`): one rule, an array of rules, or
 * `{ "rules": [...] }`, each as in case.json's `notifications` (ids may be left out: the
 * name, made safe, is used). A bad file names the file and the field.
 */
export async function readNotificationRules(path: string): Promise<NotificationRule[]> {
  const raw = await readJsonFile(path, 'notification rules');
  const list = Array.isArray(raw)
    ? raw
    : raw && typeof raw === 'object' && Array.isArray((raw as { rules?: unknown }).rules)
      ? (raw as { rules: unknown[] }).rules
      : [raw];
  return list.map((item, i) => {
    const withId =
      item && typeof item === 'object' && !('id' in item)
        ? { ...item, id: slug((item as { name?: unknown }).name, `notify-${i + 1}`) }
        : item;
    const parsed = notificationRuleSchema.safeParse(withId);
    if (!parsed.success) {
      throw new LoupeError('INVALID_INPUT', `${path}: rule ${i + 1} is not valid: ${describeIssues(parsed.error)}.`, {
        hint: 'A rule is { "name", "filter": { "severities"?, "minSeverity"?, "types"?, "accounts"? }, "action": { "kind": "command", "command": [program, ...args] } or { "kind": "webhook", "url" } }.',
      });
    }
    return parsed.data;
  });
}

export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new LoupeError('FILE_NOT_FOUND', `The ${what} file ${path} cannot be read.`, {
      hint: 'Check the path.',
      cause: error,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new LoupeError('INVALID_INPUT', `The ${what} file ${path} is not JSON: ${(error as Error).message}.`);
  }
}

export function slug(value: unknown, fallback: string): string {
  const text =
    typeof value === 'string'
      ? value
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-|-$/g, '')
      : '';
  return (text || fallback).slice(0, 100);
}
