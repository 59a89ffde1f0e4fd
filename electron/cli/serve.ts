import { spawn } from 'node:child_process';
import { createEngine, type Engine } from '../engine/api';
import { findCaseDir } from '../engine/case/workspace';
import { startWebServer } from '../server/server';
import type { ServeArgs } from './args';
import { EXIT_FAILED, EXIT_OK, missingPaths, printError, type Output } from './common';
import { reportProgress } from './progress';

export interface ServeOptions {
  /** Resolves when the server should stop; defaults to SIGINT/SIGTERM. */
  until?: Promise<void>;
}

export async function runServe(args: ServeArgs, io: Output, options: ServeOptions = {}): Promise<number> {
  const { paths, threatLists, trustedLists, port } = args;
  const missing = missingPaths([...paths, ...threatLists, ...trustedLists]);
  if (missing.length > 0) {
    io.err(`loupe serve: no such file or folder: ${missing.join(', ')}`);
    return EXIT_FAILED;
  }

  // A single case folder (<name>.loupe) is that case; anything else is evidence to load.
  const caseDir = args.workspace === undefined && paths.length === 1 ? findCaseDir(paths[0] ?? '') : null;
  const reopen = caseDir !== null;
  let engine: Engine;
  try {
    engine = await createEngine({ shell: 'web', workspaceDir: caseDir ?? args.workspace });
  } catch (error) {
    printError(io, 'serve', error);
    return EXIT_FAILED;
  }
  const stopProgress = reportProgress(engine.jobs, io);
  let server;
  try {
    server = await startWebServer({ engine, port });
  } catch (error) {
    stopProgress();
    await engine.close();
    printError(io, 'serve', error);
    return EXIT_FAILED;
  }
  io.out(`Loupe web mode: ${server.url}`);
  if (args.open) openBrowser(server.url, io);

  if (!reopen && paths.length > 0) {
    const job = engine.openCase({ paths, threatLists, trustedLists });
    job.done.then(
      (report) => {
        const d = report.detect;
        io.err(
          `Case loaded: ${report.ingest.filesLoaded} files, ${report.ingest.events.cloudtrail + report.ingest.events.vpcflow + report.ingest.events.dns} events, ${d.findings} findings in ${(report.elapsedMs / 1000).toFixed(1)} s`,
        );
      },
      (error: unknown) => printError(io, 'serve', error),
    );
  }

  await (options.until ?? untilSignal());
  stopProgress();
  await server.close();
  await engine.close();
  return EXIT_OK;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Only a browser the user configured ($BROWSER); without one the printed URL is enough. */
export function openBrowser(url: string, io: Output): boolean {
  const browser = process.env['BROWSER'];
  if (!browser) return false;
  try {
    const child = spawn(browser, [url], { detached: true, stdio: 'ignore' });
    child.on('error', (error) => io.err(`Could not start the browser ${browser}: ${error.message}`));
    child.unref();
    return true;
  } catch (error) {
    io.err(`Could not start the browser ${browser}: ${String(error)}`);
    return false;
  }
}
