/**
 * The desktop page's Content-Security-Policy. Built code only runs from our own scheme; styles
 * may be inline (React and the graph set element styles). The dev server (electron-vite dev)
 * needs React Refresh's inline preamble and its HMR socket, so dev gets a looser policy.
 */
export function desktopCsp(dev: boolean): string {
  return [
    "default-src 'none'",
    dev ? "script-src 'self' 'unsafe-inline'" : "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    dev ? "connect-src 'self' ws: http://localhost:*" : "connect-src 'self'",
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
