import { ConfigError, type Config } from '../config/config.js';

/** Loads the configuration or prints every problem and exits 2 (a usage error). */
export function configOrExit(load: () => Config): Config {
  try {
    return load();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
}
