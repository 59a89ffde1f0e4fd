import { createEngine } from '../engine/api';
import type { CaseLoadReport } from '../engine/case/load';
import { readSuppressionRules } from '../engine/case/suppression-file';
import { defaultFeedDir, storedFeeds } from '../engine/intel/feeds';
import { readNotificationRules } from '../engine/notify/rules-file';
import type { ScanArgs } from './args';
import { EXIT_FAILED, EXIT_OK, missingPaths, printError, type Output } from './common';
import { describeWritten, writeFindingsOut } from './output';
import { reportProgress } from './progress';
import { formatScanSummary } from './summary';

/** `loupe scan`: one load job (into a temp case, or the --workspace case), the summary, the findings. */
export async function runScan(args: ScanArgs, io: Output): Promise<number> {
  const missing = missingPaths([
    ...args.paths,
    ...args.threatLists,
    ...args.trustedLists,
    ...(args.suppress ? [args.suppress] : []),
    ...(args.notify ? [args.notify] : []),
  ]);
  if (missing.length > 0) {
    io.err(`loupe scan: no such file or folder: ${missing.join(', ')}`);
    return EXIT_FAILED;
  }
  let suppressionRules;
  let notificationRules;
  try {
    suppressionRules = args.suppress ? await readSuppressionRules(args.suppress) : [];
    notificationRules = args.notify ? await readNotificationRules(args.notify) : [];
  } catch (error) {
    printError(io, 'scan', error);
    return EXIT_FAILED;
  }

  // With --out -, stdout carries the findings; everything for people moves to stderr.
  const say = args.out === '-' ? io.err : io.out;
  // Feeds from `loupe intel update` are ordinary lists whose header carries their category.
  const feeds = args.feeds ? storedFeeds(args.feedsDir ?? defaultFeedDir()) : [];
  const threatLists = [...args.threatLists, ...feeds.filter((f) => f.kind === 'threat').map((f) => f.path)];
  const trustedLists = [...args.trustedLists, ...feeds.filter((f) => f.kind === 'trusted').map((f) => f.path)];
  if (feeds.length > 0) {
    const oldest = feeds.map((f) => f.fetchedAt).sort()[0] ?? '';
    say(
      `Feeds: ${feeds.length} from ${args.feedsDir ?? defaultFeedDir()} (${feeds.map((f) => `${f.name} ${f.category}`).join(', ')}); oldest fetched ${oldest}`,
    );
  }
  let engine;
  try {
    engine = await createEngine({ shell: 'cli', workspaceDir: args.workspace, rulesDir: args.rules });
  } catch (error) {
    printError(io, 'scan', error);
    return EXIT_FAILED;
  }
  const stopProgress = reportProgress(engine.jobs, io);
  try {
    const job = engine.openCase({
      paths: args.paths,
      s3: args.s3,
      threatLists,
      trustedLists,
      flowFormat: args.flowFormat,
      learningDays: args.learningDays,
      suppressionRules,
      notificationRules,
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
    if (args.workspace !== undefined) say(`Case: ${engine.workspaceDir}`);
    if (args.out !== undefined) {
      try {
        const result = await writeFindingsOut(engine, { ...args, out: args.out }, { overwrite: true });
        if (args.out !== '-') say(describeWritten(result, args.out));
      } catch (error) {
        printError(io, 'scan', error);
        return EXIT_FAILED;
      }
    }
    return EXIT_OK;
  } finally {
    stopProgress();
    await engine.close();
  }
}
