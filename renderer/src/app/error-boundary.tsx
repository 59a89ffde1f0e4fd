import { Component, type ErrorInfo as ReactErrorInfo, type ReactNode } from 'react';
import { ErrorPanel } from '../components/error-panel';

/** One per panel: a rendering bug in the graph must not take the findings list with it. */
export class ErrorBoundary extends Component<{ name: string; children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ReactErrorInfo) {
    console.error(`The ${this.props.name} panel failed`, error, info.componentStack);
  }

  override render() {
    if (this.state.error) {
      return (
        <ErrorPanel
          error={{
            code: 'UI_ERROR',
            message: `The ${this.props.name} panel failed: ${this.state.error.message}`,
            hint: 'Try again; if it keeps failing, reload the page.',
          }}
          action={{ label: 'Try again', run: () => this.setState({ error: null }) }}
        />
      );
    }
    return this.props.children;
  }
}
