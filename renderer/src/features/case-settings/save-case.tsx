import { useEffect, useState } from 'react';
import { ErrorPanel } from '../../components/error-panel';
import { caseFolderFor, folderProblem } from '../../lib/paths';
import { useAppStore } from '../../store';

/**
 * Where the case lives, Save, and Save As with a typed folder: web mode has no native dialog,
 * so the path is checked as it is typed (full path) and the engine's refusal (a folder that
 * exists and is not empty, one that cannot be written) is shown here with its reason.
 */
export function SaveCase() {
  const info = useAppStore((s) => s.caseSettings.info);
  const save = useAppStore((s) => s.caseSettings.save);
  const loadCaseInfo = useAppStore((s) => s.loadCaseInfo);
  const saveCase = useAppStore((s) => s.saveCase);
  const saveCaseAs = useAppStore((s) => s.saveCaseAs);
  const [dir, setDir] = useState('');
  const [name, setName] = useState('');
  const [touched, setTouched] = useState(false);

  useEffect(() => {
    void loadCaseInfo();
  }, [loadCaseInfo]);

  const problem = dir.trim() ? folderProblem(dir) : null;
  const canSave = info !== null && !info.temp && !info.readOnly;

  return (
    <div className="section" data-testid="save-case">
      <h3>
        Case folder
        <span className="right">
          <button
            type="button"
            className="small"
            disabled={!canSave || save.busy}
            title={
              info?.temp
                ? 'A temporary case has no folder yet: use Save As.'
                : info?.readOnly
                  ? 'Opened read-only: use Save As.'
                  : 'Write the case now'
            }
            onClick={() => void saveCase()}
          >
            Save
          </button>
        </span>
      </h3>
      <div className="section-body">
        <p className="mono wrap" data-testid="case-location">
          {info ? info.dir : '…'}
          {info?.temp ? <span className="badge warn-badge">temporary: deleted on close unless saved</span> : null}
          {info?.readOnly ? <span className="badge warn-badge">read-only</span> : null}
        </p>
        <form
          className="form-grid"
          aria-label="Save case as"
          onSubmit={(e) => {
            e.preventDefault();
            setTouched(true);
            void saveCaseAs(dir, name).then((ok) => {
              if (ok) {
                setDir('');
                setName('');
                setTouched(false);
              }
            });
          }}
        >
          <label htmlFor="save-as-dir">Save As folder</label>
          <input
            id="save-as-dir"
            type="text"
            className="mono"
            placeholder="/home/me/cases/incident-42"
            value={dir}
            aria-invalid={problem !== null && touched}
            aria-describedby="save-as-help"
            onChange={(e) => setDir(e.target.value)}
            onBlur={() => setTouched(true)}
          />
          <label htmlFor="save-as-name">Case name</label>
          <input
            id="save-as-name"
            type="text"
            placeholder={info?.name ?? 'unchanged'}
            value={name}
            maxLength={200}
            onChange={(e) => setName(e.target.value)}
          />
          <span />
          <div id="save-as-help" className="dim" data-testid="save-as-help">
            {problem && touched ? (
              <span className="bad">{problem}</span>
            ) : dir.trim() ? (
              <>
                The case will be written to <span className="mono">{caseFolderFor(dir)}</span>, which must be new or
                empty.
              </>
            ) : (
              'A full folder path on the machine running Loupe; .loupe is added to the name.'
            )}
          </div>
          <span />
          <div>
            <button type="submit" className="small primary" disabled={save.busy || dir.trim() === ''}>
              {save.busy ? 'Saving…' : 'Save As'}
            </button>
          </div>
        </form>
        {save.error ? (
          <div data-testid="save-error">
            <ErrorPanel error={save.error} />
          </div>
        ) : null}
        {save.savedTo && !save.error ? (
          <p className="ok-text" data-testid="save-ok">
            Saved to <span className="mono">{save.savedTo}</span>
          </p>
        ) : null}
      </div>
    </div>
  );
}
