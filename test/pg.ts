import pg from 'pg';

/** The server tests use; override with COVALUE_TEST_PG_URL (a database the user may create databases from). */
export const PG_ADMIN_URL = process.env.COVALUE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function pgUrl(database: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

export function pgAdmin(): pg.Client {
  return new pg.Client({ connectionString: PG_ADMIN_URL });
}
