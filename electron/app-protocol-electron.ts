/**
 * Registers the app:// scheme. `registerAppScheme` must run before the app is ready
 * (privileges can only be granted then); `serveAppProtocol` after, on the default
 * session, with the pure handler of app-protocol.ts.
 */
import { protocol } from 'electron';
import { APP_SCHEME } from './app-origin.ts';
import { createAppProtocolHandler } from './app-protocol.ts';

/** Standard (so relative URLs and origins work), secure (a secure context), fetch-able. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true },
    },
  ]);
}

export function serveAppProtocol(rootDir: string, log?: (line: string) => void): void {
  protocol.handle(APP_SCHEME, createAppProtocolHandler({ rootDir, ...(log ? { log } : {}) }));
}
