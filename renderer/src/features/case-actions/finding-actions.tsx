import { useEffect, useState } from 'react';
import type { FindingStatus } from '../../../../shared/api/schemas';
import { ErrorPanel } from '../../components/error-panel';
import { formatTime } from '../../lib/format';
import { useAppStore } from '../../store';
import { Section } from '../findings/detail-sections';

const STATUSES: Array<{ value: FindingStatus; label: string }> = [
  { value: 'new', label: 'New' },
  { value: 'investigating', label: 'Investigating' },
  { value: 'resolved', label: 'Resolved' },
  { value: 'false_positive', label: 'False positive' },
  { value: 'benign', label: 'Benign' },
];

/** Archive / unarchive and "suppress findings like this", next to the detail's copy buttons. */
export function FindingActionButtons({ finding }: { finding: Record<string, unknown> & { id: string } }) {
  const setArchived = useAppStore((s) => s.setArchived);
  const suppressLike = useAppStore((s) => s.suppressLike);
  const [busy, setBusy] = useState(false);
  const service = finding['service'] as Record<string, unknown> | undefined;
  const archived = service?.['archived'] === true;
  const run = (work: () => Promise<void>) => {
    setBusy(true);
    void work().finally(() => setBusy(false));
  };
  return (
    <>
      <button
        type="button"
        className="small"
        disabled={busy}
        data-testid="archive-toggle"
        onClick={() => run(() => setArchived(finding.id, !archived))}
      >
        {archived ? 'Unarchive' : 'Archive'}
      </button>
      <button
        type="button"
        className="small"
        disabled={busy}
        data-testid="suppress-like"
        title="Create a suppression rule (GuardDuty filter, action ARCHIVE) for this type, account and resource"
        onClick={() => run(() => suppressLike(finding))}
      >
        Suppress findings like this
      </button>
    </>
  );
}

/** The analyst's status and comments on one finding, kept in case.json. */
export function FindingWorkSection({ id }: { id: string }) {
  const work = useAppStore((s) => s.caseActions.finding);
  const load = useAppStore((s) => s.loadFindingWork);
  const save = useAppStore((s) => s.saveFindingWork);
  const tz = useAppStore((s) => s.workspace.timeZone);
  const [status, setStatus] = useState<FindingStatus>('new');
  const [comment, setComment] = useState('');

  useEffect(() => {
    // An unsent comment belongs to the finding it was typed for.
    setComment('');
    void load(id);
  }, [id, load]);
  const current = work.id === id;
  useEffect(() => {
    if (current) setStatus(work.status);
  }, [current, work.status]);

  return (
    <Section title="Analyst" testId="finding-work">
      {current && work.error ? <ErrorPanel error={work.error} /> : null}
      <div className="finding-work">
        <label>
          Status{' '}
          <select
            value={status}
            data-testid="finding-status"
            onChange={(e) => setStatus(e.target.value as FindingStatus)}
          >
            {STATUSES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <textarea
          aria-label="Comment"
          placeholder="Add a comment (optional)"
          rows={3}
          value={comment}
          data-testid="finding-comment"
          onChange={(e) => setComment(e.target.value)}
        />
        <button
          type="button"
          className="small"
          disabled={work.busy}
          data-testid="finding-save"
          onClick={() =>
            void save(id, status, comment).then((ok) => {
              if (ok) setComment('');
            })
          }
        >
          Save
        </button>
      </div>
      {current && work.comments.length ? (
        <ul className="comments" data-testid="finding-comments">
          {work.comments.map((c) => (
            <li key={c.id}>
              <span className="dim">{formatTime(c.createdAt, tz)}</span> {c.text}
            </li>
          ))}
        </ul>
      ) : null}
    </Section>
  );
}
