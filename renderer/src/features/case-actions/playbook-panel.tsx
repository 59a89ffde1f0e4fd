import { useEffect } from 'react';
import { CopyButton } from '../../components/copy';
import { ErrorPanel } from '../../components/error-panel';
import { useAppStore } from '../../store';
import { Section } from '../findings/detail-sections';

/** Response steps with their shell lines, to copy and review; Loupe never runs them. */
export function PlaybookPanel({ id }: { id: string }) {
  const playbook = useAppStore((s) => s.caseActions.playbook);
  const load = useAppStore((s) => s.loadPlaybook);
  useEffect(() => {
    void load(id);
  }, [id, load]);
  const mine = playbook.id === id;
  const data = mine ? playbook.data : null;
  return (
    <Section
      title="Playbook"
      testId="playbook"
      right={data ? <CopyButton text={data.script} label="Copy script" className="small" /> : null}
    >
      {mine && playbook.error ? (
        <ErrorPanel error={playbook.error} action={{ label: 'Retry', run: () => void load(id) }} />
      ) : null}
      {!data && !(mine && playbook.error) ? <div className="loading-line" /> : null}
      {data ? (
        <>
          <p className="dim">{data.summary}</p>
          <ol className="playbook-steps">
            {data.steps.map((step, i) => {
              const block = step.commands.map((c) => c.line).join('\n');
              return (
                <li key={i}>
                  <b>{step.title}</b>
                  <div>{step.detail}</div>
                  {step.commands.length ? (
                    <div className="code-block">
                      <pre className="mono">{block}</pre>
                      <CopyButton text={block} label="Copy" className="small" />
                    </div>
                  ) : null}
                </li>
              );
            })}
          </ol>
          <p className="dim">Review every command before running it in your own shell.</p>
        </>
      ) : null}
    </Section>
  );
}
