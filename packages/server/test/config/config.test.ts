import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { tempDir } from '../helpers/process.js';

describe('configuration', () => {
  it('has defaults that just work locally', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: 'sqlite:./data/latchkey.db',
      publicUrl: 'http://127.0.0.1:8080',
      secureCookies: false,
      tokenPrefix: '',
    });
    expect(c.catalog.platformResources).toContain('assets');
    expect([...c.catalog.publicSafe].sort()).toEqual(['assets:view', 'configurations:view', 'renders:view']);
  });

  it('workers: 1 by default, an integer 1..256 or auto (one per CPU); anything else refused by name', () => {
    expect(loadConfig({}).workers).toBe(1);
    expect(loadConfig({ LATCHKEY_WORKERS: '4' }).workers).toBe(4);
    expect(loadConfig({ LATCHKEY_WORKERS: '256' }).workers).toBe(256);
    expect(loadConfig({ LATCHKEY_WORKERS: 'auto' }).workers).toBe(Math.min(256, availableParallelism()));
    expect(loadConfig({ LATCHKEY_CONFIG: fileWith({ workers: 3 }) }).workers).toBe(3);
    for (const bad of ['0', '257', '-1', '1.5', 'two', 'AUTO', ' 2']) {
      expect(() => loadConfig({ LATCHKEY_WORKERS: bad }), bad).toThrow(
        /LATCHKEY_WORKERS.*integer from 1 to 256, or auto/,
      );
    }
    expect(() => loadConfig({ LATCHKEY_CONFIG: fileWith({ workers: 2.5 }) })).toThrow(ConfigError);
  });

  it('reads a JSON file named by LATCHKEY_CONFIG; environment variables win', () => {
    const file = join(tempDir(), 'latchkey.json');
    writeFileSync(
      file,
      JSON.stringify({
        port: 9000,
        platformResources: ['widgets', 'gadgets'],
        publicSafePermissions: ['widgets:view'],
        publicUrl: 'https://keys.example.com',
      }),
    );
    const c = loadConfig({ LATCHKEY_CONFIG: file, PORT: '9100' });
    expect(c.port).toBe(9100);
    expect(c.catalog.platformResources).toEqual(['widgets', 'gadgets']);
    expect(c.secureCookies).toBe(true);
  });

  it('reports every problem at once, naming the variables', () => {
    try {
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        LATCHKEY_PUBLIC_SAFE_PERMISSIONS: 'tokens:view',
        LATCHKEY_TOKEN_PREFIX: 'Bad Prefix',
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as Error).message;
      expect(msg).toMatch(/PORT/);
      expect(msg).toMatch(/LATCHKEY_TOKEN_PREFIX/);
    }
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ LATCHKEY_PUBLIC_SAFE_PERMISSIONS: 'tokens:view' })).toThrow(
      /Latchkey's own resources are never public-safe/,
    );
    const file = join(tempDir(), 'bad.json');
    writeFileSync(file, JSON.stringify({ nonsense: true }));
    expect(() => loadConfig({ LATCHKEY_CONFIG: file })).toThrow(ConfigError);
    expect(() => loadConfig({ LATCHKEY_CONFIG: '/nonexistent/latchkey.json' })).toThrow(/cannot read/);
  });

  it('sign-in limits and session lifetimes: defaults, and the removed account lock refused with its replacements', () => {
    expect(loadConfig({})).toMatchObject({
      signInAddressLimit: 10,
      signInSlowdownAfter: 20,
      signInSlowdownSeconds: 5,
      sessionTtlHours: 168,
      sessionMaxHours: 720,
    });
    expect(
      loadConfig({
        LATCHKEY_SIGNIN_ADDRESS_LIMIT: '3',
        LATCHKEY_SIGNIN_SLOWDOWN_AFTER: '7',
        LATCHKEY_SIGNIN_SLOWDOWN_SECONDS: '9',
        LATCHKEY_SESSION_MAX_HOURS: '200',
      }),
    ).toMatchObject({
      signInAddressLimit: 3,
      signInSlowdownAfter: 7,
      signInSlowdownSeconds: 9,
      sessionMaxHours: 200,
    });
    // A sliding lifetime longer than the default maximum raises the maximum with it.
    expect(loadConfig({ LATCHKEY_SESSION_TTL_HOURS: '1000' }).sessionMaxHours).toBe(1000);
    expect(() => loadConfig({ LATCHKEY_SESSION_TTL_HOURS: '100', LATCHKEY_SESSION_MAX_HOURS: '50' })).toThrow(
      /LATCHKEY_SESSION_MAX_HOURS/,
    );
    expect(() => loadConfig({ LATCHKEY_ACCOUNT_LOCK_AFTER: '10' })).toThrow(
      /LATCHKEY_ACCOUNT_LOCK_AFTER: removed.*LATCHKEY_SIGNIN_ADDRESS_LIMIT/s,
    );
    const file = join(tempDir(), 'lock.json');
    writeFileSync(file, JSON.stringify({ accountLockAfter: 10 }));
    expect(() => loadConfig({ LATCHKEY_CONFIG: file })).toThrow(/accountLockAfter: removed/);
  });

  it('LATCHKEY_VERIFY_CACHE_ENTRIES: 100,000 by default, 1 to 10,000,000, anything else refused at start-up', () => {
    expect(loadConfig({}).verifyCacheEntries).toBe(100_000);
    expect(loadConfig({ LATCHKEY_VERIFY_CACHE_ENTRIES: '1' }).verifyCacheEntries).toBe(1);
    expect(loadConfig({ LATCHKEY_VERIFY_CACHE_ENTRIES: '400000' }).verifyCacheEntries).toBe(400_000);
    expect(loadConfig({ LATCHKEY_VERIFY_CACHE_ENTRIES: '10000000' }).verifyCacheEntries).toBe(10_000_000);
    expect(
      loadConfig({ LATCHKEY_CONFIG: fileWith({ verifyCacheEntries: 250_000 }) }).verifyCacheEntries,
    ).toBe(250_000);
    for (const bad of ['0', '10000001', '-1', '1.5', '1e6', 'lots', ' 5']) {
      expect(() => loadConfig({ LATCHKEY_VERIFY_CACHE_ENTRIES: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ LATCHKEY_VERIFY_CACHE_ENTRIES: bad }), bad).toThrow(
        /LATCHKEY_VERIFY_CACHE_ENTRIES/,
      );
    }
    expect(() => loadConfig({ LATCHKEY_CONFIG: fileWith({ verifyCacheEntries: 0 }) })).toThrow(
      /verifyCacheEntries/,
    );
  });

  it('LATCHKEY_VERIFY_CACHE_TTL_SECONDS: 300 by default, 1 to 86400, anything else refused at start-up', () => {
    expect(loadConfig({}).verifyCacheTtlSeconds).toBe(300);
    expect(loadConfig({ LATCHKEY_VERIFY_CACHE_TTL_SECONDS: '1' }).verifyCacheTtlSeconds).toBe(1);
    expect(loadConfig({ LATCHKEY_VERIFY_CACHE_TTL_SECONDS: '86400' }).verifyCacheTtlSeconds).toBe(86_400);
    for (const bad of ['0', '86401', '-1', '2.5', 'forever'])
      expect(() => loadConfig({ LATCHKEY_VERIFY_CACHE_TTL_SECONDS: bad }), bad).toThrow(
        /LATCHKEY_VERIFY_CACHE_TTL_SECONDS/,
      );
  });

  it('limiter windows come from config: sign-in 900 s, request limit 60 s, invalid tokens 60 s by default; 1 to 86400', () => {
    expect(loadConfig({})).toMatchObject({
      signInWindowSeconds: 900,
      loginRateWindowSeconds: 60,
      verifyFailureWindowSeconds: 60,
    });
    expect(
      loadConfig({
        LATCHKEY_SIGNIN_WINDOW_SECONDS: '120',
        LATCHKEY_LOGIN_RATE_WINDOW_SECONDS: '1',
        LATCHKEY_VERIFY_FAILURE_WINDOW_SECONDS: '86400',
      }),
    ).toMatchObject({
      signInWindowSeconds: 120,
      loginRateWindowSeconds: 1,
      verifyFailureWindowSeconds: 86_400,
    });
    expect(
      loadConfig({
        LATCHKEY_CONFIG: fileWith({
          signInWindowSeconds: 300,
          loginRateWindowSeconds: 30,
          verifyFailureWindowSeconds: 600,
        }),
      }),
    ).toMatchObject({
      signInWindowSeconds: 300,
      loginRateWindowSeconds: 30,
      verifyFailureWindowSeconds: 600,
    });
    for (const name of [
      'LATCHKEY_SIGNIN_WINDOW_SECONDS',
      'LATCHKEY_LOGIN_RATE_WINDOW_SECONDS',
      'LATCHKEY_VERIFY_FAILURE_WINDOW_SECONDS',
    ]) {
      for (const bad of ['0', '86401', '-1', '1.5', 'a minute']) {
        expect(() => loadConfig({ [name]: bad }), `${name}=${bad}`).toThrow(new RegExp(name));
      }
    }
  });

  it('LATCHKEY_USAGE_FLUSH_SECONDS: 10 by default, 1 to 3600, anything else refused at start-up', () => {
    expect(loadConfig({}).usageFlushSeconds).toBe(10);
    expect(loadConfig({ LATCHKEY_USAGE_FLUSH_SECONDS: '1' }).usageFlushSeconds).toBe(1);
    expect(loadConfig({ LATCHKEY_USAGE_FLUSH_SECONDS: '3600' }).usageFlushSeconds).toBe(3600);
    expect(loadConfig({ LATCHKEY_CONFIG: fileWith({ usageFlushSeconds: 60 }) }).usageFlushSeconds).toBe(60);
    for (const bad of ['0', '3601', '-1', '0.5', 'often']) {
      expect(() => loadConfig({ LATCHKEY_USAGE_FLUSH_SECONDS: bad }), bad).toThrow(
        /LATCHKEY_USAGE_FLUSH_SECONDS/,
      );
    }
  });

  describe('LATCHKEY_TRUST_PROXY (issue #11 finding 4): whose X-Forwarded-For is believed', () => {
    it('defaults to nobody; false and 0 mean nobody too', () => {
      expect(loadConfig({}).trustProxy).toBe(false);
      expect(loadConfig({ LATCHKEY_TRUST_PROXY: 'false' }).trustProxy).toBe(false);
      expect(loadConfig({ LATCHKEY_TRUST_PROXY: '0' }).trustProxy).toBe(false);
    });

    it('refuses `true` at start-up, saying why and what to set instead', () => {
      for (const config of [
        { LATCHKEY_TRUST_PROXY: 'true' },
        { LATCHKEY_CONFIG: fileWith({ trustProxy: true }) },
      ]) {
        try {
          loadConfig(config);
          expect.unreachable();
        } catch (e) {
          expect(e).toBeInstanceOf(ConfigError);
          const msg = (e as Error).message;
          expect(msg).toMatch(/LATCHKEY_TRUST_PROXY/);
          expect(msg).toMatch(/any X-Forwarded-For/); // why
          expect(msg).toMatch(/127\.0\.0\.1/); // what instead: addresses…
          expect(msg).toMatch(/CIDR/);
          expect(msg).toMatch(/number of proxies/); // …or a hop count
        }
      }
    });

    it('takes a hop count', () => {
      expect(loadConfig({ LATCHKEY_TRUST_PROXY: '1' }).trustProxy).toEqual({ hops: 1 });
      expect(loadConfig({ LATCHKEY_CONFIG: fileWith({ trustProxy: 2 }) }).trustProxy).toEqual({ hops: 2 });
      expect(() => loadConfig({ LATCHKEY_TRUST_PROXY: '1000' })).toThrow(/LATCHKEY_TRUST_PROXY/);
    });

    it('takes addresses, CIDRs and keywords, as a comma-separated variable or a list in the file', () => {
      expect(
        loadConfig({ LATCHKEY_TRUST_PROXY: ' 127.0.0.1, 10.0.0.0/8 ,::1, fd00::/8, loopback,private ' })
          .trustProxy,
      ).toEqual({
        addresses: ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'loopback', 'private'],
      });
      expect(
        loadConfig({ LATCHKEY_CONFIG: fileWith({ trustProxy: ['192.168.0.10', 'linklocal'] }) }).trustProxy,
      ).toEqual({ addresses: ['192.168.0.10', 'linklocal'] });
    });

    it('refuses entries that are not addresses, CIDRs or keywords, naming each', () => {
      for (const bad of [
        'proxy.example.com',
        '10.0.0.0/33',
        '::1/129',
        '10.0.0.0/',
        '10.0.0.0/8/8',
        '300.1.1.1',
        'everyone',
        '*',
      ]) {
        expect(() => loadConfig({ LATCHKEY_TRUST_PROXY: `127.0.0.1,${bad}` }), bad).toThrow(
          new RegExp(`LATCHKEY_TRUST_PROXY.*"${bad.replace(/[.*/]/g, '\\$&')}"`),
        );
      }
    });
  });
});

function fileWith(content: Record<string, unknown>): string {
  const file = join(tempDir(), 'latchkey.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}
