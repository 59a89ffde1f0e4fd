import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createEngine } from '../engine/api';
import type { CaseLoadReport } from '../engine/case/load';
import { writeFindings } from '../engine/findings/export';
import type { ScanArgs } from './args';
import { EXIT_FAILED, EXIT_OK, missingPaths, printError, type Output } from './common';
import { reportProgress } from './progress';
import { formatScanSummary } from './summary';

/** `loupe scan`: one case load job, the summary, then the findings file. */
export async function runScan(args: ScanArgs, io: Output): Promise<number> {
  const { paths, threatLists, trustedLists, format } = args;
  const missing = missingPaths([...paths, ...threatLists, ...trustedLists]);
  if (missing.length > 0) {
    io.err(`loupe scan: no such file or folder: ${missing.join(', ')}`);
    return EXIT_FAILED;
  }

  // With --out -, stdout carries the findings; everything for people moves to stderr.
  const say = args.out === '-' ? io.err : io.out;
  const engine = await createEngine({ shell: 'cli', workspaceDir: args.workspace, rulesDir: args.rules });
  const stopProgress = reportProgress(engine.jobs, io);
  try {
    const job = engine.openCase({
      paths,
      threatLists,
      trustedLists,
      flowFormat: args.flowFormat,
    });
    let report: CaseLoadReport;
    try {
      report = await job.done;
    } catch (error) {
      printError(io, 'scan', error);
      return EXIT_FAILED;
    }
    stopProgress();
    for (const line of formatScanSummary(report)) say(line);
    if (args.out !== undefined) {
      let written: number;
      try {
        written = await writeOut(args.out, (write) => writeFindings(engine.database(), format, write));
      } catch (error) {
        printError(io, 'scan', new Error(`could not write the findings to ${args.out}: ${String(error)}`));
        return EXIT_FAILED;
      }
      if (args.out !== '-') say(`Wrote ${written} findings to ${args.out} (${format})`);
    }
    return EXIT_OK;
  } finally {
    stopProgress();
    await engine.close();
  }
}

/** Streams findings to a file (or stdout), honouring back-pressure; a write error rejects. */
async function writeOut(
  target: string,
  produce: (write: (chunk: string) => Promise<void>) => Promise<number>,
): Promise<number> {
  const stream = target === '-' ? process.stdout : createWriteStream(target);
  let failure: Error | null = null;
  const failed = new Promise<never>((_, reject) =>
    stream.once('error', (error: Error) => {
      failure = error;
      reject(error);
    }),
  );
  failed.catch(() => undefined);
  const write = async (chunk: string) => {
    if (failure) throw failure;
    if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), failed]);
  };
  const written = await produce(write);
  if (target !== '-') {
    stream.end();
    await Promise.race([once(stream, 'finish'), failed]);
  }
  return written;
}
