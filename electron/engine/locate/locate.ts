import { LoupeError } from '../../../shared/errors';
import type { JobContext } from '../jobs/job-registry';
import { localLocator } from './local';
import type { LocatedFile, LocateProblem, Locator } from './types';

export interface LocateResult {
  files: LocatedFile[];
  problems: LocateProblem[];
}

/**
 * Turns inputs (files, folders, and whatever other locators accept, e.g. s3:// URIs) into the
 * list of files to read. The first locator that accepts an input handles it; the local one is
 * always last. A missing or unreadable input is a problem in the result, never a throw, so
 * one bad path does not stop the rest.
 */
export async function locateInputs(
  inputs: string[],
  ctx: JobContext,
  locators: readonly Locator[] = [],
): Promise<LocateResult> {
  const chain = [...locators, localLocator];
  const result: LocateResult = { files: [], problems: [] };
  const seen = new Set<string>();
  for (const input of inputs) {
    if (ctx.signal.aborted) throw cancelled();
    const locator = chain.find((l) => l.accepts(input));
    if (!locator) {
      result.problems.push({ path: input, status: 'skipped', reason: 'no locator understands this input' });
      continue;
    }
    for await (const item of locator.locate(input, ctx)) {
      if (item.kind === 'problem') {
        result.problems.push(item.problem);
      } else if (!seen.has(item.file.path)) {
        // The same file named twice (a folder and a file inside it) is read once.
        seen.add(item.file.path);
        result.files.push(item.file);
        if (result.files.length % 500 === 0) ctx.report({ message: `Found ${result.files.length} files` });
      }
    }
    if (ctx.signal.aborted) throw cancelled();
  }
  return result;
}

function cancelled(): LoupeError {
  return new LoupeError('JOB_CANCELLED', 'Finding the input files was cancelled.');
}
