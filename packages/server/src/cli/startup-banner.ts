/**
 * What `latchkey serve` tells the operator once it listens, the same from one process or from the
 * primary of several workers: the address, and the one-time setup link on a first run.
 */

/** The database URL as logged: a password in it is never written out. */
export const redactedDatabaseUrl = (url: string) => url.replace(/\/\/[^@]*@/, '//***@');

/** Written to stdout in one write, so the setup link is never split from the banner. */
export function startupBanner(publicUrl: string, setupLink: string | null): string {
  const firstRun = setupLink
    ? `\nFirst run: open this one-time link to create the first owner and org:\n\n  ${setupLink}\n\n`
    : '';
  return `\nLatchkey is running at ${publicUrl}  (API docs: ${publicUrl}/docs)\n${firstRun}`;
}
