/**
 * The Content-Security-Policy of every page Niêm shows, and the other response headers
 * that go with it. Pure data: the app:// protocol handler and the test bridge server
 * both import this module, so the browser-driven tests see exactly the app's policy.
 *
 * Nothing inline, nothing evaluated, no remote source: scripts, styles and fonts come
 * only from the page's own origin (`app://niem` in Electron, the loopback bridge in
 * tests); images may also be `data:` URLs (small icons embedded by the bundler).
 * `frame-ancestors` only works as a header, which is why this is sent as one.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; " +
  "frame-ancestors 'none'; object-src 'none'";

/**
 * Headers sent with every response that carries app content, whatever its type.
 * Content-Type is added per file by the caller.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
});
