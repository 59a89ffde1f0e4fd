import { lazy, Suspense, useEffect } from 'react';
import { Toasts } from '../components/toasts';
import { AccountsView } from '../features/accounts/accounts-view';
import { CaseGate } from '../features/case/case-gate';
import { FindingsView } from '../features/findings/findings-view';
import { HuntView } from '../features/hunt/hunt-view';
import { TimelineView } from '../features/timeline/timeline-view';
import { useAppStore } from '../store';
import type { View } from '../store/workspace';
import { ErrorBoundary } from './error-boundary';
import { NavBar } from './nav-bar';
import { TopBar } from './top-bar';

// cytoscape is most of the bundle's weight: load it when the graph is first opened.
const GraphView = lazy(() => import('../features/graph/graph-view').then((m) => ({ default: m.GraphView })));

const VIEWS: Record<View, { name: string; render: () => React.JSX.Element }> = {
  findings: { name: 'findings', render: () => <FindingsView /> },
  timeline: { name: 'timeline', render: () => <TimelineView /> },
  graph: {
    name: 'graph',
    render: () => (
      <Suspense fallback={<div className="loading-line" />}>
        <GraphView />
      </Suspense>
    ),
  },
  hunt: { name: 'hunt', render: () => <HuntView /> },
  accounts: { name: 'accounts', render: () => <AccountsView /> },
};

export function App() {
  const theme = useAppStore((s) => s.workspace.theme);
  const view = useAppStore((s) => s.workspace.view);
  const startup = useAppStore((s) => s.startup);

  useEffect(() => {
    document.documentElement.dataset['theme'] = theme;
  }, [theme]);

  useEffect(() => {
    void startup();
  }, [startup]);

  const current = VIEWS[view];
  return (
    <div className="app">
      <TopBar />
      <NavBar />
      <main className="main">
        <CaseGate>
          <ErrorBoundary key={view} name={current.name}>
            {current.render()}
          </ErrorBoundary>
        </CaseGate>
      </main>
      <Toasts />
    </div>
  );
}
