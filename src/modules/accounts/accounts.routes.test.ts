import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, forEachBackend, problem, sessionHeaders, type TestApp } from '../../../test/harness.js';

forEachBackend((backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(() => t.close());

  const register = (body: Record<string, unknown>) => t.visitor.post('/api/v1/auth/register', body);
  const countMembers = async () =>
    Number(
      (
        await t.db.kysely
          .selectFrom('members')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  describe('register', () => {
    it('creates a member, signs them in with a session cookie, and /me answers', async () => {
      const res = await register({ email: 'Alice@Example.test', password: 'correct horse battery', displayName: '爱丽丝' });
      expect(res.statusCode).toBe(201);
      expect(res.json().member).toMatchObject({ displayName: '爱丽丝', roles: ['member'] });
      const setCookie = String(res.headers['set-cookie']);
      expect(setCookie).toMatch(/covalue_session=.*HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=Lax/i);
      const me = await t.visitor.get('/api/v1/me', { headers: sessionHeaders(res) });
      expect(me.statusCode).toBe(200);
      expect(me.json()).toMatchObject({ email: 'alice@example.test', displayName: '爱丽丝', roles: ['member'] });
      expect(me.json().csrfToken).toEqual(expect.any(String));
    });

    it('rejects a duplicate email (any case) with 409 and writes nothing', async () => {
      await register({ email: 'dup@example.test', password: 'correct horse battery', displayName: 'a' });
      const before = await countMembers();
      const res = await register({ email: 'DUP@example.test', password: 'another good one', displayName: 'b' });
      expect(res.statusCode).toBe(409);
      expect(problem(res).type).toMatch(/problems\/conflict$/);
      expect(await countMembers()).toBe(before);
    });

    it('rejects a weak password with 422 naming the field', async () => {
      const before = await countMembers();
      for (const password of ['short', 'password123', 'aaaaaaaaaaaa', 'weakling.weak']) {
        const res = await register({ email: 'weakling.weak@example.test', password, displayName: 'w' });
        expect(res.statusCode).toBe(422);
        expect(problem(res).errors?.[0]?.path).toBe('password');
      }
      expect(await countMembers()).toBe(before);
    });

    it('rejects wrong types, unknown fields and a bad email with 422 listing each field', async () => {
      const res = await register({ email: 'not-an-email', password: 42, displayName: 'x', admin: true });
      expect(res.statusCode).toBe(422);
      const paths = problem(res)
        .errors?.map((e) => e.path)
        .sort();
      expect(paths).toEqual(['admin', 'email', 'password']);
    });

    it('rejects malformed JSON with 400 and an oversized body with 413', async () => {
      const bad = await t.app.http.inject({
        method: 'POST',
        url: '/api/v1/auth/register',
        headers: { 'content-type': 'application/json' },
        payload: '{"email": ',
      });
      expect(bad.statusCode).toBe(400);
      expect(problem(bad).type).toMatch(/bad-request$/);
      const huge = await t.app.http.inject({
        method: 'POST',
        url: '/api/v1/auth/register',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ email: 'x@example.test', password: 'p'.repeat(2_000_000), displayName: 'x' }),
      });
      expect(huge.statusCode).toBe(413);
      expect(problem(huge).type).toMatch(/payload-too-large$/);
    });
  });

  describe('login, logout and tokens', () => {
    it('signs in with the right password and refuses a wrong one with 401', async () => {
      await register({ email: 'bob@example.test', password: 'bobs secret pw', displayName: 'Bob' });
      const ok = await t.visitor.post('/api/v1/auth/login', { email: 'bob@example.test', password: 'bobs secret pw' });
      expect(ok.statusCode).toBe(200);
      expect(ok.json().member.displayName).toBe('Bob');
      const wrong = await t.visitor.post('/api/v1/auth/login', { email: 'bob@example.test', password: 'nope nope nope' });
      expect(wrong.statusCode).toBe(401);
      const unknown = await t.visitor.post('/api/v1/auth/login', { email: 'nobody@example.test', password: 'nope nope nope' });
      expect(unknown.statusCode).toBe(401);
      expect(problem(unknown).detail).toBe(problem(wrong).detail);
    });

    it('logout ends the session in the database', async () => {
      const res = await register({ email: 'carol@example.test', password: 'carols secret', displayName: 'Carol' });
      const headers = sessionHeaders(res);
      expect((await t.visitor.post('/api/v1/auth/logout', undefined, { headers })).statusCode).toBe(204);
      expect((await t.visitor.get('/api/v1/me', { headers })).statusCode).toBe(401);
    });

    it('requires the CSRF header for cookie-authenticated writes, not for bearer tokens', async () => {
      const res = await register({ email: 'dave@example.test', password: 'daves secret', displayName: 'Dave' });
      const { cookie } = sessionHeaders(res);
      const noCsrf = await t.visitor.post('/api/v1/auth/logout', undefined, { headers: { cookie } });
      expect(noCsrf.statusCode).toBe(403);
      const wrongCsrf = await t.visitor.post('/api/v1/auth/logout', undefined, { headers: { cookie, 'x-csrf-token': 'forged' } });
      expect(wrongCsrf.statusCode).toBe(403);
      // The session survived the forged attempts.
      expect((await t.visitor.get('/api/v1/me', { headers: { cookie } })).statusCode).toBe(200);
    });

    it('issues a bearer token that works, lists it without its secret, and stops working when revoked', async () => {
      await register({ email: 'erin@example.test', password: 'erins secret', displayName: 'Erin' });
      const issued = await t.visitor.post('/api/v1/auth/tokens', {
        email: 'erin@example.test',
        password: 'erins secret',
        name: 'ci',
      });
      expect(issued.statusCode).toBe(201);
      const { token, id } = issued.json();
      const auth = { authorization: `Bearer ${token}` };
      expect((await t.visitor.get('/api/v1/me', { headers: auth })).json().displayName).toBe('Erin');
      const list = await t.visitor.get('/api/v1/me/tokens', { headers: auth });
      expect(list.json().items).toEqual([expect.objectContaining({ id, name: 'ci', revokedAt: null })]);
      expect(list.body).not.toContain(token);
      expect((await t.visitor.delete(`/api/v1/me/tokens/${id}`, { headers: auth })).statusCode).toBe(204);
      const after = await t.visitor.get('/api/v1/me', { headers: auth });
      expect(after.statusCode).toBe(401);
      // Tokens are stored hashed.
      const stored = await t.db.kysely
        .selectFrom('api_tokens')
        .select('token_hash')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(stored.token_hash).not.toContain(token);
    });

    it('tells who is signed in at /auth/session, answering a visitor 200 with me: null', async () => {
      expect((await t.visitor.get('/api/v1/auth/session')).json()).toEqual({ me: null });
      const res = await register({ email: 'hana@example.test', password: 'hanas secret pw', displayName: 'Hana' });
      const session = (await t.visitor.get('/api/v1/auth/session', { headers: sessionHeaders(res) })).json();
      expect(session.me).toMatchObject({ email: 'hana@example.test', displayName: 'Hana', csrfToken: expect.any(String) });
    });

    it('answers 401 to /me without credentials and to a malformed Authorization header', async () => {
      expect((await t.visitor.get('/api/v1/me')).statusCode).toBe(401);
      expect((await t.visitor.get('/api/v1/me', { headers: { authorization: 'Basic abc' } })).statusCode).toBe(401);
      expect((await t.visitor.get('/api/v1/me', { headers: { authorization: 'Bearer cvt_unknown' } })).statusCode).toBe(401);
    });
  });

  describe('rate limits', () => {
    it('limits failed logins per account across the window, then lets the window pass', async () => {
      const limited = await createTestApp(backend, {
        config: { AUTH_RATE_LIMIT_PER_ACCOUNT: '3', AUTH_RATE_LIMIT_WINDOW_SECONDS: '60' },
      });
      try {
        await limited.visitor.post('/api/v1/auth/register', {
          email: 'frank@example.test',
          password: 'franks secret',
          displayName: 'F',
        });
        const attempt = (password: string) =>
          limited.visitor.post('/api/v1/auth/login', { email: 'frank@example.test', password });
        for (let i = 0; i < 3; i++) expect((await attempt('wrong password')).statusCode).toBe(401);
        const blocked = await attempt('franks secret');
        expect(blocked.statusCode).toBe(429);
        expect(blocked.headers['retry-after']).toEqual(expect.any(String));
        limited.clock.advance({ seconds: 61 });
        expect((await attempt('franks secret')).statusCode).toBe(200);
      } finally {
        await limited.close();
      }
    });

    it('limits parallel wrong logins per account too (counted before the password is checked)', async () => {
      const limited = await createTestApp(backend, { config: { AUTH_RATE_LIMIT_PER_ACCOUNT: '3' } });
      try {
        await limited.visitor.post('/api/v1/auth/register', {
          email: 'gus@example.test',
          password: 'guss secret pw',
          displayName: 'G',
        });
        const results = await Promise.all(
          Array.from({ length: 20 }, () =>
            limited.visitor.post('/api/v1/auth/login', { email: 'gus@example.test', password: 'wrong guess' }),
          ),
        );
        expect(results.filter((r) => r.statusCode === 401)).toHaveLength(3);
        expect(results.filter((r) => r.statusCode === 429)).toHaveLength(17);
      } finally {
        await limited.close();
      }
    });

    it('limits registrations per email address', async () => {
      const limited = await createTestApp(backend, { config: { AUTH_RATE_LIMIT_PER_ACCOUNT: '2' } });
      try {
        const attempt = () =>
          limited.visitor.post('/api/v1/auth/register', { email: 'hal@example.test', password: 'x', displayName: 'H' });
        expect((await attempt()).statusCode).toBe(422);
        expect((await attempt()).statusCode).toBe(422);
        expect((await attempt()).statusCode).toBe(429);
      } finally {
        await limited.close();
      }
    });

    it('limits attempts per IP', async () => {
      const limited = await createTestApp(backend, { config: { AUTH_RATE_LIMIT_PER_IP: '2' } });
      try {
        const attempt = () => limited.visitor.post('/api/v1/auth/login', { email: 'x@example.test', password: 'whatever pw' });
        expect((await attempt()).statusCode).toBe(401);
        expect((await attempt()).statusCode).toBe(401);
        expect((await attempt()).statusCode).toBe(429);
      } finally {
        await limited.close();
      }
    });
  });

  describe('secrets', () => {
    it('never returns the password hash or stores the password in clear', async () => {
      const res = await register({ email: 'gina@example.test', password: 'ginas secret pw', displayName: 'Gina' });
      expect(res.body).not.toContain('ginas secret pw');
      expect(res.body).not.toContain('scrypt');
      const row = await t.db.kysely
        .selectFrom('members')
        .select('password_hash')
        .where('email', '=', 'gina@example.test')
        .executeTakeFirstOrThrow();
      expect(row.password_hash).toMatch(/^scrypt\$/);
      expect(row.password_hash).not.toContain('ginas secret pw');
    });
  });
});
