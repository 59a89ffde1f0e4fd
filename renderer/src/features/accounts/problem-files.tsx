import type { FileRecord } from '../../../../shared/api/schemas';
import { formatCount } from '../../lib/format';
import { useAppStore } from '../../store';

interface ReasonGroup {
  status: FileRecord['status'];
  reason: string;
  files: FileRecord[];
}

/** Listed files grouped by outcome and reason, failures first, biggest group first. */
export function groupByReason(files: readonly FileRecord[]): ReasonGroup[] {
  const groups = new Map<string, ReasonGroup>();
  for (const f of files) {
    const reason = f.reason ?? 'no reason recorded';
    const key = `${f.status}\u0000${reason}`;
    const group = groups.get(key) ?? { status: f.status, reason, files: [] };
    group.files.push(f);
    groups.set(key, group);
  }
  const rank = (s: FileRecord['status']) => (s === 'failed' ? 0 : 1);
  return [...groups.values()].sort((a, b) => rank(a.status) - rank(b.status) || b.files.length - a.files.length);
}

/**
 * The files that did not load, by reason: a case of CloudTrail folders holds hundreds of digest
 * files, and one row each would bury the file that really failed. The per-file list (path, size,
 * reason) is one click away.
 */
export function ProblemFiles() {
  const problems = useAppStore((s) => s.ingest.problems);
  const total = useAppStore((s) => s.ingest.problemsTotal);
  const summary = useAppStore((s) => s.workspace.summary);
  if (total === 0) return null;
  const groups = groupByReason(problems);
  const failed = summary?.filesFailed ?? problems.filter((f) => f.status === 'failed').length;
  const skipped = summary?.filesSkipped ?? problems.filter((f) => f.status === 'skipped').length;
  return (
    <div className="section" style={{ margin: 12 }} data-testid="problem-files">
      <h3>
        Files not loaded: {formatCount(failed)} failed, {formatCount(skipped)} skipped
      </h3>
      <table className="data">
        <thead>
          <tr>
            <th>Status</th>
            <th>Reason</th>
            <th className="num">Files</th>
            <th>For example</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <tr key={`${g.status}:${g.reason}`} data-testid="problem-reason">
              <td className={g.status === 'failed' ? 'bad' : 'dim'}>{g.status}</td>
              <td className="wrap">{g.reason}</td>
              <td className="num">{formatCount(g.files.length)}</td>
              <td className="mono" title={g.files[0]?.path}>
                {g.files[0]?.path}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {problems.length < total ? (
        <p className="dim" style={{ margin: '6px 10px' }}>
          Counts are of the first {formatCount(problems.length)} of {formatCount(total)} files listed (failures first);
          the whole list is in the chain of custody and the CLI summary.
        </p>
      ) : null}
      <details open={problems.length <= 10}>
        <summary>Every listed file ({formatCount(problems.length)})</summary>
        <table className="data">
          <thead>
            <tr>
              <th>Status</th>
              <th>File</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {problems.map((f) => (
              <tr key={f.fileId}>
                <td>{f.status}</td>
                <td className="mono" title={f.path}>
                  {f.path}
                </td>
                <td className="wrap">{f.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}
