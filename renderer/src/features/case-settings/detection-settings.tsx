import { useEffect, useState } from 'react';
import { ErrorPanel } from '../../components/error-panel';
import { useAppStore } from '../../store';

/**
 * The learning period (no anomaly findings while the baselines learn) and a re-run of every
 * detection with it. Saving the period changes nothing until detections run again.
 */
export function DetectionSettings() {
  const learning = useAppStore((s) => s.caseSettings.learning);
  const readOnly = useAppStore((s) => s.caseSettings.info?.readOnly ?? false);
  const load = useAppStore((s) => s.loadLearning);
  const setPeriod = useAppStore((s) => s.setLearningPeriod);
  const rerun = useAppStore((s) => s.rerunDetections);
  const running = useAppStore((s) => {
    const id = s.caseSettings.learning.rerunJobId;
    return id !== null && s.jobs.byId[id]?.status !== 'ok';
  });
  const [mode, setMode] = useState<'auto' | 'days'>('auto');
  const [days, setDays] = useState('7');
  const [dirty, setDirty] = useState(false);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (!learning.loaded) return;
    setMode(learning.days === null ? 'auto' : 'days');
    if (learning.days !== null) setDays(String(learning.days));
    setDirty(false);
  }, [learning.loaded, learning.days]);

  const parsed = Number(days);
  const daysValid = days.trim() !== '' && Number.isInteger(parsed) && parsed >= 0 && parsed <= 365;
  const current =
    learning.days === null
      ? 'automatic: the first 7 days of each source, or its first quarter when the logs are shorter'
      : learning.days === 0
        ? 'none: anomalies are reported from the first event'
        : `the first ${learning.days} day${learning.days === 1 ? '' : 's'} of each source`;

  return (
    <div className="section" data-testid="detection-settings">
      <h3>Detection</h3>
      <div className="section-body">
        <p className="dim">
          Learning period: <b data-testid="learning-current">{current}</b>. Behaviour during it builds the baselines and
          raises no anomaly findings; a change applies when detections run again.
        </p>
        <form
          className="inline-form"
          aria-label="Learning period"
          onSubmit={(e) => {
            e.preventDefault();
            if (mode === 'days' && !daysValid) return;
            void setPeriod(mode === 'auto' ? null : parsed).then((ok) => ok && setDirty(false));
          }}
        >
          <label>
            <input
              type="radio"
              name="learning"
              checked={mode === 'auto'}
              onChange={() => {
                setMode('auto');
                setDirty(true);
              }}
            />{' '}
            Automatic
          </label>
          <label>
            <input
              type="radio"
              name="learning"
              checked={mode === 'days'}
              onChange={() => {
                setMode('days');
                setDirty(true);
              }}
            />{' '}
            First
          </label>
          <input
            type="number"
            min={0}
            max={365}
            step={1}
            aria-label="Learning period in days"
            style={{ width: 64 }}
            value={days}
            disabled={mode !== 'days'}
            aria-invalid={mode === 'days' && !daysValid}
            onChange={(e) => {
              setDays(e.target.value);
              setDirty(true);
            }}
          />
          <span>days</span>
          <button
            type="submit"
            className="small"
            disabled={readOnly || learning.saving || !dirty || (mode === 'days' && !daysValid)}
          >
            Save period
          </button>
          {mode === 'days' && !daysValid ? <span className="bad">0 to 365 whole days</span> : null}
        </form>
        {learning.error ? <ErrorPanel error={learning.error} /> : null}
        <div className="inline-form" style={{ marginTop: 8 }}>
          <button
            type="button"
            className="small primary"
            disabled={readOnly || running || dirty}
            title={dirty ? 'Save the period first' : 'Run every rule and analyzer again over the whole case'}
            onClick={() => void rerun()}
            data-testid="rerun-detections"
          >
            {running ? 'Re-running…' : 'Re-run detections'}
          </button>
          <span className="dim">Findings are updated in place; archive decisions and suppression rules are kept.</span>
        </div>
      </div>
    </div>
  );
}
