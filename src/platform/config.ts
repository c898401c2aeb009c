import path from 'node:path';
import { z } from 'zod';

/**
 * The whole configuration of a Covalue process, read once from the environment.
 * `process.env` is read here and nowhere else.
 */
const booleanString = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const DEV_SESSION_SECRET = 'covalue-development-session-secret-do-not-use-in-production';
const DEV_WEBHOOK_SECRET = 'covalue-development-webhook-secret-do-not-use-in-production';

const providerNames = z
  .string()
  .transform((v) => [
    ...new Set(
      v
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    ),
  ])
  .pipe(z.array(z.enum(['manual', 'simulated'])).min(1, 'name at least one of manual, simulated'));

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('localhost'),
    DATABASE_URL: z
      .string()
      .regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/)/, 'must start with sqlite: or postgres://')
      .optional(),
    COVALUE_DATA_DIR: z.string().min(1).default('./data'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_PRETTY: booleanString.optional(),
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    SESSION_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    TRUST_PROXY: booleanString.default(false),
    BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(50 * 1024 * 1024)
      .default(1024 * 1024),
    PG_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10),
    PASSWORD_SCRYPT_LOG_N: z.coerce.number().int().min(10).max(20).default(15),
    AUTH_RATE_LIMIT_PER_IP: z.coerce.number().int().min(1).default(100),
    AUTH_RATE_LIMIT_PER_ACCOUNT: z.coerce.number().int().min(1).default(10),
    AUTH_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
    WORKER_ENABLED: booleanString.default(true),
    WORKER_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
    SEED_ON_START: booleanString.default(true),
    ORDER_PAYMENT_TIMEOUT_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(15),
    ORDER_AUTO_COMPLETE_DAYS: z.coerce.number().int().min(1).max(365).default(14),
    LOG_SIGNING_KEY: z.string().min(1).optional(),
    LOG_HEAD_EVERY_ENTRIES: z.coerce.number().int().min(1).max(1_000_000).default(1000),
    LOG_HEAD_EVERY_SECONDS: z.coerce.number().int().min(1).max(86_400).default(10),
    PAYMENTS_PROVIDERS: providerNames.optional(),
    PAYMENTS_WEBHOOK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    PAYMENTS_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
    PAYMENTS_MANUAL_HOLD_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(30 * 24)
      .default(24),
    PAYMENTS_SIMULATED_OUTCOME: z.enum(['succeed', 'decline']).default('succeed'),
    PAYMENTS_SIMULATED_DELAY_MS: z.coerce.number().int().min(0).max(3_600_000).default(0),
    PAYMENTS_SIMULATED_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.SESSION_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['SESSION_SECRET'],
        message: 'is required when NODE_ENV=production',
      });
    }
    if (env.NODE_ENV === 'production' && env.PAYMENTS_PROVIDERS?.includes('simulated')) {
      ctx.addIssue({
        code: 'custom',
        path: ['PAYMENTS_PROVIDERS'],
        message: 'the simulated provider takes no real money: it is refused when NODE_ENV=production',
      });
    }
  });

export type DatabaseConfig =
  | { dialect: 'sqlite'; filename: string }
  | { dialect: 'postgres'; connectionString: string; poolMax: number };

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  dataDir: string;
  database: DatabaseConfig;
  log: { level: string; pretty: boolean };
  session: { secret: string; ttlDays: number; usingDevSecret: boolean };
  http: { trustProxy: boolean; bodyLimit: number };
  passwords: { scryptLogN: number };
  authRateLimit: { perIp: number; perAccount: number; windowSeconds: number };
  worker: { enabled: boolean; pollMs: number };
  seedOnStart: boolean;
  orders: { paymentTimeoutMinutes: number; autoCompleteDays: number };
  contributionLog: {
    /** The Ed25519 private key (PKCS #8 PEM or base64 seed); null: the key file in the data directory. */
    signingKey: string | null;
    headEveryEntries: number;
    headEverySeconds: number;
  };
  payments: {
    /** The providers members may pay with; `simulated` never in production. */
    providers: ('manual' | 'simulated')[];
    /** Signs and checks webhooks (the simulated provider's); identical on every process. */
    webhookSecret: string;
    usingDevWebhookSecret: boolean;
    webhookToleranceSeconds: number;
    /** How long a started manual (bank transfer) payment holds the order's units. */
    manualHoldHours: number;
    simulated: { outcome: 'succeed' | 'decline'; delayMs: number; webhookUrl: string | null };
  };
}

/** Thrown when the environment does not describe a valid configuration; names each bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the configuration from an environment (by default `process.env`).
 * @throws ConfigError naming every variable that is missing or malformed.
 * @example const config = loadConfig({ DATABASE_URL: 'postgres://localhost/covalue' });
 */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  // Empty strings count as unset, as in most twelve-factor tools.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`));
  }
  const env = parsed.data;
  const dataDir = path.resolve(env.COVALUE_DATA_DIR);
  let database: DatabaseConfig;
  const url = env.DATABASE_URL;
  if (!url) {
    database = { dialect: 'sqlite', filename: path.join(dataDir, 'covalue.sqlite') };
  } else if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!file) throw new ConfigError(['DATABASE_URL: sqlite: needs a file name, e.g. sqlite:./data/covalue.sqlite']);
    database = { dialect: 'sqlite', filename: file === ':memory:' ? file : path.resolve(file) };
  } else {
    database = { dialect: 'postgres', connectionString: url, poolMax: env.PG_POOL_MAX };
  }
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    dataDir,
    database,
    log: { level: env.LOG_LEVEL, pretty: env.LOG_PRETTY ?? false },
    session: {
      secret: env.SESSION_SECRET ?? DEV_SESSION_SECRET,
      ttlDays: env.SESSION_TTL_DAYS,
      usingDevSecret: !env.SESSION_SECRET,
    },
    http: { trustProxy: env.TRUST_PROXY, bodyLimit: env.BODY_LIMIT_BYTES },
    passwords: { scryptLogN: env.PASSWORD_SCRYPT_LOG_N },
    authRateLimit: {
      perIp: env.AUTH_RATE_LIMIT_PER_IP,
      perAccount: env.AUTH_RATE_LIMIT_PER_ACCOUNT,
      windowSeconds: env.AUTH_RATE_LIMIT_WINDOW_SECONDS,
    },
    worker: { enabled: env.WORKER_ENABLED, pollMs: env.WORKER_POLL_MS },
    seedOnStart: env.SEED_ON_START,
    orders: { paymentTimeoutMinutes: env.ORDER_PAYMENT_TIMEOUT_MINUTES, autoCompleteDays: env.ORDER_AUTO_COMPLETE_DAYS },
    contributionLog: {
      signingKey: env.LOG_SIGNING_KEY ?? null,
      headEveryEntries: env.LOG_HEAD_EVERY_ENTRIES,
      headEverySeconds: env.LOG_HEAD_EVERY_SECONDS,
    },
    payments: {
      providers: env.PAYMENTS_PROVIDERS ?? (env.NODE_ENV === 'production' ? ['manual'] : ['simulated', 'manual']),
      webhookSecret: env.PAYMENTS_WEBHOOK_SECRET ?? DEV_WEBHOOK_SECRET,
      usingDevWebhookSecret: !env.PAYMENTS_WEBHOOK_SECRET,
      webhookToleranceSeconds: env.PAYMENTS_WEBHOOK_TOLERANCE_SECONDS,
      manualHoldHours: env.PAYMENTS_MANUAL_HOLD_HOURS,
      simulated: {
        outcome: env.PAYMENTS_SIMULATED_OUTCOME,
        delayMs: env.PAYMENTS_SIMULATED_DELAY_MS,
        webhookUrl: env.PAYMENTS_SIMULATED_WEBHOOK_URL ?? null,
      },
    },
  };
}
