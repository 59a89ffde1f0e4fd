import { createEngine } from '../engine/api';
import { findCaseDir } from '../engine/case/workspace';
import type { ExportArgs } from './args';
import { EXIT_FAILED, EXIT_OK, printError, type Output } from './common';
import { describeWritten, writeFindingsOut } from './output';

/** `loupe export <case>`: the findings of a saved case, in any export format. */
export async function runExport(args: ExportArgs, io: Output): Promise<number> {
  const dir = findCaseDir(args.caseDir);
  if (!dir) {
    io.err(`loupe export: ${args.caseDir} is not a Loupe case (no case.json and case.duckdb in it).`);
    io.err(`  hint: Give the .loupe folder made by 'loupe scan --workspace' or saved from the app.`);
    return EXIT_FAILED;
  }
  let engine;
  try {
    engine = await createEngine({ shell: 'cli', workspaceDir: dir });
  } catch (error) {
    printError(io, 'export', error);
    return EXIT_FAILED;
  }
  try {
    const result = await writeFindingsOut(engine, args, { overwrite: args.overwrite, findingIds: args.findingIds });
    if (args.out !== '-') io.out(describeWritten(result, args.out));
    return EXIT_OK;
  } catch (error) {
    printError(io, 'export', error);
    return EXIT_FAILED;
  } finally {
    await engine.close();
  }
}
