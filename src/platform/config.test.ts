import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

/** Runs loadConfig and returns the ConfigError it throws (fails the test if it does not throw one). */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('defaults to an embedded SQLite file in ./data and port 3000', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.host).toBe('localhost');
    expect(config.env).toBe('development');
    expect(config.dataDir).toBe(path.resolve('./data'));
    expect(config.database).toEqual({ dialect: 'sqlite', filename: path.join(path.resolve('./data'), 'covalue.sqlite') });
    expect(config.log).toEqual({ level: 'info', pretty: false });
    expect(config.session.usingDevSecret).toBe(true);
    expect(config.session.ttlDays).toBe(30);
    expect(config.http).toEqual({ trustProxy: false, bodyLimit: 1024 * 1024 });
    expect(config.worker).toEqual({ enabled: true, pollMs: 250 });
    expect(config.seedOnStart).toBe(true);
  });

  it('puts the SQLite file in COVALUE_DATA_DIR', () => {
    const config = loadConfig({ COVALUE_DATA_DIR: '/tmp/covalue-elsewhere' });
    expect(config.dataDir).toBe('/tmp/covalue-elsewhere');
    expect(config.database).toEqual({ dialect: 'sqlite', filename: '/tmp/covalue-elsewhere/covalue.sqlite' });
  });

  it('treats empty strings as unset', () => {
    const config = loadConfig({ PORT: '', DATABASE_URL: '', LOG_LEVEL: '' });
    expect(config.port).toBe(3000);
    expect(config.database.dialect).toBe('sqlite');
    expect(config.log.level).toBe('info');
  });

  it('reads a sqlite: DATABASE_URL as a file path, relative or absolute', () => {
    expect(loadConfig({ DATABASE_URL: 'sqlite:./somewhere/db.sqlite' }).database).toEqual({
      dialect: 'sqlite',
      filename: path.resolve('./somewhere/db.sqlite'),
    });
    expect(loadConfig({ DATABASE_URL: 'sqlite:///var/lib/covalue/db.sqlite' }).database).toEqual({
      dialect: 'sqlite',
      filename: '/var/lib/covalue/db.sqlite',
    });
    expect(loadConfig({ DATABASE_URL: 'sqlite::memory:' }).database).toEqual({ dialect: 'sqlite', filename: ':memory:' });
  });

  it('reads a postgres:// or postgresql:// DATABASE_URL with the pool size', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db.example:5432/covalue' }).database).toEqual({
      dialect: 'postgres',
      connectionString: 'postgres://u:p@db.example:5432/covalue',
      poolMax: 10,
    });
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/covalue', PG_POOL_MAX: '25' }).database).toEqual({
      dialect: 'postgres',
      connectionString: 'postgresql://db/covalue',
      poolMax: 25,
    });
  });

  it('parses numbers and booleans', () => {
    const config = loadConfig({
      PORT: '8080',
      TRUST_PROXY: 'yes',
      WORKER_ENABLED: '0',
      SEED_ON_START: 'false',
      LOG_PRETTY: 'true',
      BODY_LIMIT_BYTES: '2048',
      AUTH_RATE_LIMIT_PER_IP: '7',
    });
    expect(config.port).toBe(8080);
    expect(config.http).toEqual({ trustProxy: true, bodyLimit: 2048 });
    expect(config.worker.enabled).toBe(false);
    expect(config.seedOnStart).toBe(false);
    expect(config.log.pretty).toBe(true);
    expect(config.authRateLimit.perIp).toBe(7);
  });

  it('uses SESSION_SECRET when given, and production accepts it', () => {
    const secret = 's'.repeat(32);
    const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: secret });
    expect(config.env).toBe('production');
    expect(config.session).toMatchObject({ secret, usingDevSecret: false });
  });

  it('offers the simulated and manual providers in development, only manual in production, or those named', () => {
    expect(loadConfig({}).payments).toMatchObject({ providers: ['simulated', 'manual'], usingDevWebhookSecret: true });
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(32) }).payments.providers).toEqual(['manual']);
    const named = loadConfig({
      PAYMENTS_PROVIDERS: ' manual , manual',
      PAYMENTS_WEBHOOK_SECRET: 'w'.repeat(32),
      PAYMENTS_SIMULATED_DELAY_MS: '250',
      PAYMENTS_SIMULATED_WEBHOOK_URL: 'http://127.0.0.1:9999/hooks',
    }).payments;
    expect(named).toMatchObject({
      providers: ['manual'],
      webhookSecret: 'w'.repeat(32),
      usingDevWebhookSecret: false,
      simulated: { delayMs: 250, outcome: 'succeed', webhookUrl: 'http://127.0.0.1:9999/hooks' },
    });
    expect(loadConfig({ ORDER_PAYMENT_TIMEOUT_MINUTES: '30' }).orders).toEqual({
      paymentTimeoutMinutes: 30,
      autoCompleteDays: 14,
    });
  });

  describe('rejects a bad value with a ConfigError naming the variable', () => {
    const cases: [string, Record<string, string>][] = [
      ['PORT', { PORT: 'abc' }],
      ['PORT', { PORT: '70000' }],
      ['PORT', { PORT: '-1' }],
      ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
      ['DATABASE_URL', { DATABASE_URL: 'sqlite:' }],
      ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
      ['SESSION_SECRET', { SESSION_SECRET: 'too-short' }],
      ['SESSION_SECRET', { NODE_ENV: 'production' }],
      ['NODE_ENV', { NODE_ENV: 'staging' }],
      ['TRUST_PROXY', { TRUST_PROXY: 'maybe' }],
      ['SESSION_TTL_DAYS', { SESSION_TTL_DAYS: '0' }],
      ['BODY_LIMIT_BYTES', { BODY_LIMIT_BYTES: '10' }],
      ['PG_POOL_MAX', { PG_POOL_MAX: '0' }],
      ['PASSWORD_SCRYPT_LOG_N', { PASSWORD_SCRYPT_LOG_N: '9' }],
      ['WORKER_POLL_MS', { WORKER_POLL_MS: '5' }],
      ['ORDER_PAYMENT_TIMEOUT_MINUTES', { ORDER_PAYMENT_TIMEOUT_MINUTES: '0' }],
      ['PAYMENTS_PROVIDERS', { PAYMENTS_PROVIDERS: 'stripe' }],
      ['PAYMENTS_PROVIDERS', { PAYMENTS_PROVIDERS: ',' }],
      ['PAYMENTS_PROVIDERS', { NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(32), PAYMENTS_PROVIDERS: 'manual,simulated' }],
      ['PAYMENTS_WEBHOOK_SECRET', { PAYMENTS_WEBHOOK_SECRET: 'short' }],
      ['PAYMENTS_SIMULATED_OUTCOME', { PAYMENTS_SIMULATED_OUTCOME: 'maybe' }],
      ['PAYMENTS_SIMULATED_WEBHOOK_URL', { PAYMENTS_SIMULATED_WEBHOOK_URL: 'ftp://x' }],
    ];
    for (const [variable, env] of cases) {
      it(`${variable} from ${JSON.stringify(env)}`, () => {
        const err = configError(env);
        expect(err.message).toContain(variable);
        expect(err.problems.some((p) => p.startsWith(variable))).toBe(true);
      });
    }
  });

  it('names every bad variable at once', () => {
    const err = configError({ PORT: 'abc', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' });
    expect(err.problems).toHaveLength(3);
    for (const variable of ['PORT', 'LOG_LEVEL', 'DATABASE_URL']) expect(err.message).toContain(variable);
  });
});
