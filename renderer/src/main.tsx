/**
 * Entry: finds the host bridge, builds the store around it and renders the app, or
 * the "no host" screen when the page was opened outside Niêm. Only wiring lives here.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { findBridge, findLocaleStorage } from './bridge.ts';
import { App } from './components/app.tsx';
import { NoHostScreen } from './components/no-host-screen.tsx';
import { createAppStore } from './store/app-store.ts';
import { StoreProvider } from './store/store-context.tsx';
import './styles/base.css';
import './styles/screens.css';
import './styles/exchange.css';

const container = document.getElementById('root');
if (container !== null) {
  const root = createRoot(container);
  const bridge = findBridge();
  if (bridge === undefined) {
    root.render(
      <StrictMode>
        <NoHostScreen />
      </StrictMode>,
    );
  } else {
    const store = createAppStore(bridge, { storage: findLocaleStorage() });
    root.render(
      <StrictMode>
        <StoreProvider store={store}>
          <App />
        </StoreProvider>
      </StrictMode>,
    );
  }
}
