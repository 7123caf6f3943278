import type { FastifyBaseLogger } from 'fastify';
import { randomBase62 } from './domain/base62.js';
import type { Config } from './config/config.js';
import { buildApp } from './http/app.js';
import type { App } from './http/route-context.js';
import { systemClock, type Clock } from './services/context.js';
import { createServices, type Services } from './services/index.js';
import { openDatabase, type DatabaseHandle } from './store/dialect.js';
import { migrateToLatest } from './store/migrate.js';
import { createTokenLookup } from './store/queries/verify-lookup.js';
import { createStore, type Store } from './store/store.js';
import { createLocalBus, type InvalidationBus } from './verify/invalidation.js';
import { createVerifier, type Verifier } from './verify/verifier.js';

export interface Latchkey {
  app: App;
  services: Services;
  store: Store;
  verifier: Verifier;
  bus: InvalidationBus;
  handle: DatabaseHandle;
  close(): Promise<void>;
}

/**
 * The composition root: database → migrations → store → services → verifier → HTTP app.
 * Everything is passed in; nothing is global, so tests build as many instances as they like.
 */
export async function createLatchkey(config: Config, logger: FastifyBaseLogger, opts: { clock?: Clock } = {}): Promise<Latchkey> {
  const handle = openDatabase(config.databaseUrl);
  try {
    await migrateToLatest(handle);
    const store = createStore(handle);
    const bus = createLocalBus();
    const clock = opts.clock ?? systemClock;
    const services = createServices({ store, config, clock, bus });
    await services.roles.syncBuiltins();
    const verifier = createVerifier({
      lookup: createTokenLookup(handle.db, handle.sqlite),
      catalog: config.catalog,
      tokenPrefix: config.tokenPrefix,
      now: () => clock.now().getTime(),
    });
    let cookieSecret = await store.settings.get('cookie_secret');
    if (!cookieSecret) {
      cookieSecret = randomBase62(48);
      await store.settings.set('cookie_secret', cookieSecret);
    }
    const app = await buildApp({ config, services, verifier, logger, cookieSecret });
    return {
      app,
      services,
      store,
      verifier,
      bus,
      handle,
      async close() {
        await app.close();
        await handle.close();
      },
    };
  } catch (e) {
    await handle.close();
    throw e;
  }
}
