/**
 * The frame every screen lives in: a header with the app name and the header tools
 * (language switch), and the main area where the current screen goes.
 */
import type { ReactNode } from 'react';

export interface AppShellProps {
  /** The app name as the catalog spells it. */
  appName: string;
  tagline: string;
  /** Controls at the end of the header, e.g. the language switch. */
  tools?: ReactNode;
  children: ReactNode;
}

export function AppShell({ appName, tagline, tools, children }: AppShellProps) {
  return (
    <div className="app">
      <header className="app-header">
        <div className="app-brand">
          <span className="app-name">{appName}</span>
          <span className="app-tagline">{tagline}</span>
        </div>
        {tools !== undefined && <div className="app-tools">{tools}</div>}
      </header>
      <main className="app-main">{children}</main>
    </div>
  );
}
