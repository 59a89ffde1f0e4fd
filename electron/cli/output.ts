import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../engine/api';
import type { ExportResult } from '../engine/export/export-findings';
import type { OutputArgs } from './args';

/**
 * Findings out of the case through the export module (archived findings left out unless
 * asked). `-` writes to stdout: the export goes to a temp file first (exports are written
 * whole, then renamed) and is streamed out with back-pressure.
 */
export async function writeFindingsOut(
  engine: Engine,
  output: OutputArgs & { out: string },
  options: { overwrite: boolean; findingIds?: string[] | undefined },
): Promise<ExportResult> {
  const request = {
    format: output.format,
    includeArchived: output.includeArchived,
    overwrite: options.overwrite,
    ...(options.findingIds?.length ? { findingIds: options.findingIds } : {}),
  };
  if (output.out !== '-') return engine.exportFindings({ ...request, outPath: output.out }).done;
  const dir = mkdtempSync(join(tmpdir(), 'loupe-out-'));
  try {
    const file = join(dir, 'findings');
    const result = await engine.exportFindings({ ...request, outPath: file, overwrite: true }).done;
    for await (const chunk of createReadStream(file)) {
      if (!process.stdout.write(chunk as Buffer)) await once(process.stdout, 'drain');
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function describeWritten(result: ExportResult, out: string): string {
  const where = result.files.length > 1 ? `${result.files.length} files under ${out}` : out;
  return `Wrote ${result.findings} findings to ${where} (${result.format})`;
}
