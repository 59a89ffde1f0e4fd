import type { BenchCase } from '../dataset';
import type { LoadFigures } from '../case-child';

/**
 * A bench section measures one thing and returns a small table. Sections run in the order of
 * SECTIONS in main.ts and share what earlier ones produced through `shared` (the loaded case
 * database, its load figures), so a later section can time queries over the loaded case.
 */
export interface BenchContext {
  bench: BenchCase;
  /** Scratch folder of this run, removed at the end unless --keep. */
  work: string;
  log(line: string): void;
  /** DuckDB memory limit for child processes; undefined = what a case gets (workspace code). */
  memoryLimit: string | undefined;
  shared: {
    /** The case database after the load section: every source loaded. */
    caseDb?: string;
    load?: LoadFigures;
  };
}

export interface BenchTable {
  columns: string[];
  rows: string[][];
  notes?: string[];
}

export interface BenchSection {
  /** Short id for --only. */
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<BenchTable>;
}
