import { ErrorBoundary } from '../../app/error-boundary';
import { useAppStore } from '../../store';
import { FindingDetail } from './finding-detail';
import { FindingsList } from './findings-list';
import { FindingsToolbar } from './findings-toolbar';
import { GroupList } from './group-list';

export function FindingsView() {
  const groupBy = useAppStore((s) => s.findings.groupBy);
  const drill = useAppStore((s) => s.findings.drill);
  const drillInto = useAppStore((s) => s.drillInto);
  return (
    <div className="view">
      <FindingsToolbar />
      <div className="split">
        <section className="pane" aria-label="Findings">
          {groupBy !== 'none' && !drill ? (
            <GroupList />
          ) : (
            <>
              {drill ? (
                <div className="breadcrumb">
                  <button type="button" className="link" onClick={() => drillInto(null)}>
                    ‹ All groups
                  </button>
                  <span className="dim">{drill.by === 'type' ? 'Type' : 'Resource'}</span>
                  <span className="mono">{drill.key}</span>
                </div>
              ) : null}
              <FindingsList />
            </>
          )}
        </section>
        <section className="pane" aria-label="Finding detail">
          <ErrorBoundary name="finding detail">
            <FindingDetail />
          </ErrorBoundary>
        </section>
      </div>
    </div>
  );
}
