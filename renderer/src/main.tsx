import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app';
import './app/app.css';
import { connect } from './lib/api-client';
import { createAppStore, StoreProvider } from './store';

const connection = connect(window);
const store = createAppStore(connection.api, window.localStorage);

// Job events drive the loading state and the job indicator; one subscription for the page.
connection.on('jobs:progress', (event) => store.getState().jobProgress(event));
connection.on('jobs:finished', (event) => store.getState().jobFinished(event));

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <StoreProvider store={store}>
        <App />
      </StoreProvider>
    </StrictMode>,
  );
}
