/**
 * Setup and invitation links carry their secret in the URL fragment (never sent to a server). Read it
 * once and remove it from the address bar, so it does not linger in history or get copied along.
 */
export function takeFragmentToken(): string {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (match) window.history.replaceState(null, '', window.location.pathname);
  return match ? decodeURIComponent(match[1]!) : '';
}
