import { hashFile } from './sniff';

/**
 * SHA-256 of files, computed a few at a time in the order given, while DuckDB loads earlier
 * batches: by the time a batch is due, its hashes are usually ready, so hashing adds no wall
 * time and files already in the case are still skipped before they are read. A file that
 * cannot be read gets null; the load then reports why.
 */
export class HashQueue {
  private readonly results = new Map<string, Promise<string | null>>();
  private readonly waiting: Array<{ path: string; resolve: (sha: string | null) => void }> = [];
  private running = 0;

  constructor(
    private readonly signal: AbortSignal,
    private readonly concurrency = 2,
  ) {}

  /** Queues files (duplicates ignored); earlier calls are hashed first. */
  enqueue(localPaths: readonly string[]): void {
    for (const path of localPaths) {
      if (this.results.has(path)) continue;
      this.results.set(
        path,
        new Promise((resolve) => {
          this.waiting.push({ path, resolve });
        }),
      );
    }
    this.pump();
  }

  get(localPath: string): Promise<string | null> {
    if (!this.results.has(localPath)) this.enqueue([localPath]);
    return this.results.get(localPath) as Promise<string | null>;
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const next = this.waiting.shift();
      if (!next) return;
      this.running += 1;
      void hashFile(next.path, this.signal)
        .then(next.resolve, () => next.resolve(null))
        .finally(() => {
          this.running -= 1;
          this.pump();
        });
    }
  }
}
