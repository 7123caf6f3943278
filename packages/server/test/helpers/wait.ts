// Waiting for something in a test: poll for the condition, never sleep a fixed time and hope (issue 13 item 9).

/**
 * Waits until `check` is true, polling every `everyMs`; returns the milliseconds it took (or throws). A
 * check that throws counts as "not yet" (a kept-alive connection the server closed as the poll reused it,
 * during an outage the test itself causes); the last error is in the timeout message.
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 5,
): Promise<number> {
  const start = performance.now();
  let lastError: unknown = null;
  for (;;) {
    try {
      if (await check()) return performance.now() - start;
    } catch (err) {
      lastError = err;
    }
    if (performance.now() - start > timeoutMs) {
      throw new Error(
        `condition not met within ${timeoutMs} ms${lastError ? ` (last error: ${String(lastError)})` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
