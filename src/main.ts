import closeWithGrace from 'close-with-grace';
import { Command } from 'commander';
import { buildApp } from './app.js';
import { seedDemo } from './demo/seed.js';
import { exportLog } from './modules/log/export.js';
import { type Verdict, verifyConsistencyFile, verifyExport, verifyInclusionFile } from './modules/log/verify.js';
import { systemClock } from './platform/clock.js';
import { ConfigError, loadConfig } from './platform/config.js';
import { openDatabase } from './platform/db/database.js';
import { migrateToLatest } from './platform/db/migrate.js';
import { createLogger } from './platform/logger.js';

/** Loads config or exits with a message naming the bad variables. */
function configOrExit() {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

async function withApp<T>(fn: (app: Awaited<ReturnType<typeof buildApp>>) => Promise<T>): Promise<T> {
  const config = configOrExit();
  const logger = createLogger({ level: config.log.level === 'info' ? 'warn' : config.log.level, pretty: false });
  const db = openDatabase(config.database);
  try {
    await migrateToLatest(db);
    const app = await buildApp({ config, db, clock: systemClock, logger });
    try {
      return await fn(app);
    } finally {
      await app.close();
    }
  } finally {
    await db.close();
  }
}

const program = new Command().name('covalue').description('Covalue: value co-creation platform').showHelpAfterError();

program
  .command('serve')
  .description('start the HTTP server (migrates, and seeds an empty database with the demo story)')
  .action(async () => {
    const config = configOrExit();
    const logger = createLogger(config.log);
    if (config.session.usingDevSecret) logger.warn('SESSION_SECRET is not set: using the development secret');
    if (config.payments.usingDevWebhookSecret && config.payments.providers.includes('simulated')) {
      logger.warn('PAYMENTS_WEBHOOK_SECRET is not set: the simulated provider signs its webhooks with the development secret');
    }
    const db = openDatabase(config.database);
    const applied = await migrateToLatest(db);
    if (applied.length) logger.info({ applied }, 'migrations applied');
    const app = await buildApp({ config, db, clock: systemClock, logger });
    if (config.seedOnStart) {
      const seeded = await seedDemo(app, { onlyIfEmpty: true });
      if (seeded) logger.info(seeded, 'demo story loaded into the empty database');
    }
    app.startBackground();
    closeWithGrace({ delay: 10_000, logger }, async ({ signal, err }) => {
      if (err) logger.error({ err }, 'shutting down after an error');
      else logger.info({ signal }, 'shutting down');
      await app.close();
      await db.close();
    });
    await app.http.listen({ port: config.port, host: config.host });
  });

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(async () => {
    const config = configOrExit();
    const db = openDatabase(config.database);
    try {
      const applied = await migrateToLatest(db);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    } finally {
      await db.close();
    }
  });

program
  .command('seed')
  .description('load the demo story into an empty database (does nothing when it has members)')
  .action(async () => {
    await withApp(async (app) => {
      const seeded = await seedDemo(app, { onlyIfEmpty: true });
      console.log(seeded ? `seeded: ${JSON.stringify(seeded)}` : 'the database is not empty; nothing seeded');
    });
  });

const operator = program.command('operator').description('manage operator accounts');
operator
  .command('create')
  .description('make an operator account (or grant the role to an existing account)')
  .requiredOption('--email <email>', 'email address')
  .requiredOption('--password <password>', 'password (at least 8 characters)')
  .option('--name <displayName>', 'display name', 'Operator')
  .action(async (opts: { email: string; password: string; name: string }) => {
    await withApp(async (app) => {
      const member = await app.modules.accounts.service.createOperator(opts.email, opts.password, opts.name);
      console.log(`operator ${member.id} (${opts.email}) roles: ${member.roles.join(', ')}`);
    });
  });

const log = program.command('log').description('the contribution log');
log
  .command('export')
  .description('write the contribution log, its signed heads and the public key to a directory (for covalue verify)')
  .requiredOption('--out <dir>', 'directory to write to (made if missing; its files are replaced)')
  .action(async (opts: { out: string }) => {
    await withApp(async (app) => {
      // Log what has happened so far, and sign a head over all of it.
      await app.events.drain();
      const done = await exportLog(app.modules.log.service, opts.out);
      console.log(`exported ${done.entries} entries and ${done.heads} signed heads to ${opts.out}`);
    });
  });

program
  .command('verify')
  .description(
    'check the contribution log offline: an export (DIR), or one proof (--inclusion / --consistency) against signed heads; ' +
      'exit 0 when every check holds, 1 naming the first failure',
  )
  .argument('[dir]', 'a directory written by `covalue log export`')
  .option(
    '--head <file...>',
    'signed head(s) saved earlier (from GET /api/v1/log/head): must be consistent with the export; the head(s) a proof is checked against',
  )
  .option('--public-key <file>', 'the public key (GET /api/v1/log/public-key); default DIR/public-key.json')
  .option(
    '--inclusion <file>',
    'an inclusion proof (GET /api/v1/log/proof/inclusion) with the entry’s leafInput added, checked against one --head',
  )
  .option('--consistency <file>', 'a consistency proof (GET /api/v1/log/proof/consistency), checked between two --head files')
  .action(
    async (dir: string | undefined, opts: { head?: string[]; publicKey?: string; inclusion?: string; consistency?: string }) => {
      const key = opts.publicKey ?? (dir ? `${dir}/public-key.json` : undefined);
      const usage = (message: string) => {
        console.error(`covalue verify: ${message}`);
        process.exit(2);
      };
      let verdict: Verdict;
      if (opts.inclusion) {
        if (!key || opts.head?.length !== 1) return usage('--inclusion needs one --head and --public-key (or DIR)');
        verdict = verifyInclusionFile(opts.inclusion, opts.head[0]!, key);
      } else if (opts.consistency) {
        if (!key || opts.head?.length !== 2)
          return usage('--consistency needs two --head files (first, second) and --public-key (or DIR)');
        verdict = verifyConsistencyFile(opts.consistency, opts.head[0]!, opts.head[1]!, key);
      } else {
        if (!dir) return usage('name an export directory, or give --inclusion or --consistency');
        verdict = await verifyExport(dir, { extraHeads: opts.head, publicKey: opts.publicKey });
      }
      for (const line of verdict.report) console.log(`ok: ${line}`);
      if (!verdict.ok) {
        console.error(`FAIL: ${verdict.failure}`);
        process.exit(1);
      }
      console.log('verified');
    },
  );

program.parseAsync(process.argv).catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`covalue: ${message}`);
  process.exit(1);
});
