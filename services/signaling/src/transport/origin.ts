/**
 * Cross-site WebSocket hijacking defence: a browser always sends `Origin` on a WebSocket
 * handshake, so a page on a foreign site is refused here. A handshake without `Origin` cannot
 * come from a browser page; it is a native client or a tool, which could forge any Origin anyway,
 * and it still needs a valid access token in the handshake (no cookie rides along by ambient
 * authority), so refusing it would add no protection.
 */
export function isOriginAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  return allowed.includes(origin.replace(/\/$/, ''));
}
