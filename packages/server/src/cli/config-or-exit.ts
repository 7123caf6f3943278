import type { Config } from '../config/config.js';

/**
 * Loads the configuration or prints every problem and exits 2 (a usage error). The config module (and the
 * schema library under it) is imported here, not at the top: the remote admin commands never read it, and
 * a CLI call should not pay for loading it.
 */
export async function configOrExit(overrides: Record<string, string | undefined> = {}): Promise<Config> {
  const { ConfigError, loadConfig } = await import('../config/config.js');
  try {
    return loadConfig(undefined, overrides);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
}
