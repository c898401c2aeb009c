import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, forEachBackend, type Persona, problem, type TestApp } from '../../../test/harness.js';
import { pgUrl } from '../../../test/pg.js';
import { openDatabase } from '../../platform/db/database.js';

let slugs = 0;
const uniqueSlug = (base = 'winery') => `${base}-${++slugs}`;

forEachBackend((backend) => {
  let t: TestApp;
  let operator: Persona;

  beforeAll(async () => {
    t = await createTestApp(backend);
    operator = await t.operator('运营 Olga');
  });
  afterAll(() => t.close());

  async function createOrganisation(body: Record<string, unknown> = {}) {
    const res = await operator.post('/api/v1/organisations', { slug: uniqueSlug(), name: 'Helan Mountain Winery', ...body });
    if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
    return res.json() as { id: string; slug: string; name: string; kind: string };
  }

  const countOrganisations = async () =>
    Number(
      (
        await t.db.kysely
          .selectFrom('organisations')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  const rolesOf = async (who: Persona) => (await who.get('/api/v1/me')).json().roles as string[];

  describe('creating', () => {
    it('lets an operator create an organisation that anyone can then read, and announces it', async () => {
      const slug = uniqueSlug('helan');
      const res = await operator.post('/api/v1/organisations', {
        slug,
        name: '贺兰山酒庄',
        kind: 'maker',
        description: 'Makes the 375 ml bottle',
      });
      expect(res.statusCode).toBe(201);
      const org = res.json();
      expect(org).toEqual({
        id: expect.stringMatching(/^org_/),
        slug,
        name: '贺兰山酒庄',
        kind: 'maker',
        description: 'Makes the 375 ml bottle',
        createdAt: '2026-03-01T08:00:00.000Z',
      });
      const read = await t.visitor.get(`/api/v1/organisations/${org.id}`);
      expect(read.statusCode).toBe(200);
      expect(read.json()).toEqual(org);
      expect(await t.app.events.eventsOf('organisation', org.id)).toEqual([
        expect.objectContaining({ type: 'organisation.created', actorId: operator.id }),
      ]);
    });

    it('defaults the kind to maker and the description to empty', async () => {
      const org = await createOrganisation();
      expect(org).toMatchObject({ kind: 'maker', description: '' });
    });

    it('refuses a member with 403 and a visitor with 401, and creates nothing', async () => {
      const member = await t.signUp('Mia');
      const before = await countOrganisations();
      const asMember = await member.post('/api/v1/organisations', { slug: uniqueSlug(), name: 'Not mine' });
      expect(asMember.statusCode).toBe(403);
      expect(problem(asMember).type).toMatch(/problems\/forbidden$/);
      const asVisitor = await t.visitor.post('/api/v1/organisations', { slug: uniqueSlug(), name: 'Not mine' });
      expect(asVisitor.statusCode).toBe(401);
      expect(problem(asVisitor).type).toMatch(/problems\/unauthorized$/);
      expect(await countOrganisations()).toBe(before);
    });

    it('rejects a slug that is taken with 409 naming slug, and keeps the first organisation', async () => {
      const first = await createOrganisation({ name: 'First' });
      const before = await countOrganisations();
      const res = await operator.post('/api/v1/organisations', { slug: first.slug, name: 'Second' });
      expect(res.statusCode).toBe(409);
      const body = problem(res);
      expect(body.type).toMatch(/problems\/conflict$/);
      expect(body.errors).toEqual([{ path: 'slug', message: expect.any(String) }]);
      expect(await countOrganisations()).toBe(before);
      expect((await t.visitor.get(`/api/v1/organisations/${first.id}`)).json().name).toBe('First');
    });

    it('rejects a malformed slug with 422 naming slug, and creates nothing', async () => {
      const before = await countOrganisations();
      for (const slug of ['Upper-Case', 'a', '-leading-dash', 'under_score', 'with space', 'x'.repeat(64), '酒庄', '']) {
        const res = await operator.post('/api/v1/organisations', { slug, name: 'Bad slug' });
        expect(res.statusCode, slug).toBe(422);
        expect(problem(res).errors?.map((e) => e.path)).toEqual(['slug']);
      }
      expect(await countOrganisations()).toBe(before);
    });

    it('rejects a blank name, an unknown kind and unknown fields with 422 listing each field', async () => {
      const res = await operator.post('/api/v1/organisations', { slug: uniqueSlug(), name: '   ', kind: 'bank', owner: 'me' });
      expect(res.statusCode).toBe(422);
      const paths = problem(res)
        .errors?.map((e) => e.path)
        .sort();
      expect(paths).toEqual(['kind', 'name', 'owner']);
    });
  });

  describe('partners', () => {
    it('gives a member added as a partner the partner role and lists the organisation as theirs', async () => {
      const org = await createOrganisation({ name: 'Ningxia Cellars' });
      const winemaker = await t.signUp('Wen');
      expect(await rolesOf(winemaker)).toEqual(['member']);
      const res = await operator.put(`/api/v1/organisations/${org.id}/members/${winemaker.id}`);
      expect(res.statusCode).toBe(204);
      expect((await rolesOf(winemaker)).sort()).toEqual(['member', 'partner']);
      const mine = await winemaker.get('/api/v1/me/organisations');
      expect(mine.json().items.map((o: { id: string }) => o.id)).toEqual([org.id]);
      expect((await t.app.events.eventsOf('organisation', org.id)).map((e) => e.type)).toEqual([
        'organisation.created',
        'organisation.partner-added',
      ]);
    });

    it('adds and removes idempotently', async () => {
      const org = await createOrganisation();
      const partner = await t.signUp('Pat');
      for (let i = 0; i < 2; i++) {
        expect((await operator.put(`/api/v1/organisations/${org.id}/members/${partner.id}`)).statusCode).toBe(204);
      }
      const members = await operator.get(`/api/v1/organisations/${org.id}/members`);
      expect(members.json().items).toEqual([{ memberId: partner.id, displayName: 'Pat', addedAt: expect.any(String) }]);
      for (let i = 0; i < 2; i++) {
        expect((await operator.delete(`/api/v1/organisations/${org.id}/members/${partner.id}`)).statusCode).toBe(204);
      }
      expect((await operator.get(`/api/v1/organisations/${org.id}/members`)).json().items).toEqual([]);
      expect(await rolesOf(partner)).toEqual(['member']);
      // A repeated add or remove changes nothing, so it announces nothing.
      const types = (await t.app.events.eventsOf('organisation', org.id)).map((e) => e.type);
      expect(types).toEqual(['organisation.created', 'organisation.partner-added', 'organisation.partner-removed']);
    });

    it('takes the partner role away only with the last organisation', async () => {
      const first = await createOrganisation({ name: 'First Estate' });
      const second = await createOrganisation({ name: 'Second Estate' });
      const partner = await t.signUp('Dual');
      await operator.put(`/api/v1/organisations/${first.id}/members/${partner.id}`);
      await operator.put(`/api/v1/organisations/${second.id}/members/${partner.id}`);

      await operator.delete(`/api/v1/organisations/${first.id}/members/${partner.id}`);
      expect(await rolesOf(partner)).toContain('partner');
      expect((await partner.get('/api/v1/me/organisations')).json().items.map((o: { id: string }) => o.id)).toEqual([second.id]);

      await operator.delete(`/api/v1/organisations/${second.id}/members/${partner.id}`);
      expect(await rolesOf(partner)).toEqual(['member']);
      expect((await partner.get('/api/v1/me/organisations')).json().items).toEqual([]);
    });

    it('lets only operators add or remove partners', async () => {
      const org = await createOrganisation();
      const partner = await t.signUp('Insider');
      await operator.put(`/api/v1/organisations/${org.id}/members/${partner.id}`);
      const outsider = await t.signUp('Outsider');
      // Not even a partner of the organisation may add others or remove anyone.
      expect((await partner.put(`/api/v1/organisations/${org.id}/members/${outsider.id}`)).statusCode).toBe(403);
      expect((await outsider.put(`/api/v1/organisations/${org.id}/members/${outsider.id}`)).statusCode).toBe(403);
      expect((await partner.delete(`/api/v1/organisations/${org.id}/members/${partner.id}`)).statusCode).toBe(403);
      expect((await t.visitor.put(`/api/v1/organisations/${org.id}/members/${outsider.id}`)).statusCode).toBe(401);
      expect(await rolesOf(outsider)).toEqual(['member']);
      expect(await rolesOf(partner)).toContain('partner');
    });

    it('shows an organisation’s members to operators and its own partners only', async () => {
      const org = await createOrganisation({ name: 'Visible Vines' });
      const otherOrg = await createOrganisation({ name: 'Other Vines' });
      const insider = await t.signUp('Ines');
      const otherPartner = await t.signUp('Otto');
      const member = await t.signUp('Max');
      await operator.put(`/api/v1/organisations/${org.id}/members/${insider.id}`);
      await operator.put(`/api/v1/organisations/${otherOrg.id}/members/${otherPartner.id}`);

      const expected = [{ memberId: insider.id, displayName: 'Ines', addedAt: '2026-03-01T08:00:00.000Z' }];
      const byOperator = await operator.get(`/api/v1/organisations/${org.id}/members`);
      expect(byOperator.statusCode).toBe(200);
      expect(byOperator.json().items).toEqual(expected);
      const byInsider = await insider.get(`/api/v1/organisations/${org.id}/members`);
      expect(byInsider.statusCode).toBe(200);
      expect(byInsider.json().items).toEqual(expected);

      const byMember = await member.get(`/api/v1/organisations/${org.id}/members`);
      expect(byMember.statusCode).toBe(403);
      expect(problem(byMember).type).toMatch(/problems\/forbidden$/);
      expect((await otherPartner.get(`/api/v1/organisations/${org.id}/members`)).statusCode).toBe(403);
      expect((await t.visitor.get(`/api/v1/organisations/${org.id}/members`)).statusCode).toBe(401);
    });
  });

  if (backend === 'postgres') {
    describe('concurrent changes (PostgreSQL)', () => {
      /** Backends of this test's database waiting for a lock. */
      async function waitingForLocks(): Promise<number> {
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`.execute(t.db.kysely);
        return rows[0]!.n;
      }

      async function urlOfTestDatabase(): Promise<string> {
        const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(t.db.kysely);
        return pgUrl(rows[0]!.name);
      }

      /** Polls until `done` holds (no assertion on how long it takes). */
      async function until(done: () => Promise<boolean> | boolean) {
        for (let i = 0; i < 2000 && !(await done()); i++) await new Promise((r) => setTimeout(r, 5));
      }

      it('keeps the partner role when a partner is added to one organisation while removed from their last other one', async () => {
        const first = await createOrganisation({ name: 'Leaving Estate' });
        const second = await createOrganisation({ name: 'Joining Estate' });
        const partner = await t.signUp('Racer');
        await operator.put(`/api/v1/organisations/${first.id}/members/${partner.id}`);

        // Another connection holds the role row, so the removal stops just before it revokes the role
        // (having counted no other organisation), and the addition runs in that gap.
        const other = openDatabase({ dialect: 'postgres', connectionString: await urlOfTestDatabase(), poolMax: 2 });
        const holder = await other.kysely.startTransaction().execute();
        try {
          await sql`select role from member_roles where member_id = ${partner.id} for update`.execute(holder);
          const removing = operator.delete(`/api/v1/organisations/${first.id}/members/${partner.id}`);
          await until(async () => (await waitingForLocks()) >= 1);
          let added = false;
          const adding = operator.put(`/api/v1/organisations/${second.id}/members/${partner.id}`).then((res) => {
            added = true;
            return res;
          });
          // Either the addition went through in the gap, or it waits for the removal to finish.
          await until(async () => added || (await waitingForLocks()) >= 2);
          await holder.commit().execute();
          expect((await removing).statusCode).toBe(204);
          expect((await adding).statusCode).toBe(204);
        } finally {
          await holder
            .rollback()
            .execute()
            .catch(() => {});
          await other.close();
        }
        expect((await partner.get('/api/v1/me/organisations')).json().items.map((o: { id: string }) => o.id)).toEqual([
          second.id,
        ]);
        expect(await rolesOf(partner)).toContain('partner');
      });
    });
  }

  describe('not found', () => {
    it('answers 404 for an unknown organisation on every route', async () => {
      const member = await t.signUp('Nora');
      const unknown = 'org_01JZZZZZZZZZZZZZZZZZZZZZZZ';
      const responses = [
        await t.visitor.get(`/api/v1/organisations/${unknown}`),
        await operator.get(`/api/v1/organisations/${unknown}/members`),
        await member.get(`/api/v1/organisations/${unknown}/members`),
        await operator.put(`/api/v1/organisations/${unknown}/members/${member.id}`),
        await operator.delete(`/api/v1/organisations/${unknown}/members/${member.id}`),
      ];
      for (const res of responses) {
        expect(res.statusCode).toBe(404);
        expect(problem(res).type).toMatch(/problems\/not-found$/);
      }
      expect(await rolesOf(member)).toEqual(['member']);
    });

    it('answers 404 when adding an unknown member, and grants nothing', async () => {
      const org = await createOrganisation();
      const res = await operator.put(`/api/v1/organisations/${org.id}/members/mem_01JZZZZZZZZZZZZZZZZZZZZZZZ`);
      expect(res.statusCode).toBe(404);
      expect((await operator.get(`/api/v1/organisations/${org.id}/members`)).json().items).toEqual([]);
      expect((await t.app.events.eventsOf('organisation', org.id)).map((e) => e.type)).toEqual(['organisation.created']);
    });
  });

  describe('listing', () => {
    it('pages through every organisation exactly once, in name order', async () => {
      const lister = await createTestApp(backend);
      try {
        const op = await lister.operator();
        // Repeated names make the id the tie-breaker across page boundaries.
        const names = Array.from({ length: 25 }, (_, i) => (i % 3 === 0 ? 'Same Name' : `Winery ${String(i).padStart(2, '0')}`));
        const created: string[] = [];
        for (const name of names) {
          const res = await op.post('/api/v1/organisations', { slug: uniqueSlug('page'), name });
          expect(res.statusCode).toBe(201);
          created.push(res.json().id);
        }
        const pages: { id: string; name: string }[][] = [];
        let cursor: string | undefined;
        do {
          const res = await lister.visitor.get('/api/v1/organisations', { query: { limit: 10, cursor } });
          expect(res.statusCode).toBe(200);
          pages.push(res.json().items);
          cursor = res.json().nextCursor ?? undefined;
        } while (cursor && pages.length < 10);
        expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
        const seen = pages.flat();
        expect(new Set(seen.map((o) => o.id)).size).toBe(25);
        expect(seen.map((o) => o.id).sort()).toEqual([...created].sort());
        const keys = seen.map((o) => [o.name, o.id] as const);
        const sorted = [...keys].sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1));
        expect(keys).toEqual(sorted);
      } finally {
        await lister.close();
      }
    });

    it('rejects a cursor it did not make, and a limit out of range, with 422', async () => {
      const bad = await t.visitor.get('/api/v1/organisations', { query: { cursor: 'not-a-cursor' } });
      expect(bad.statusCode).toBe(422);
      expect(problem(bad).errors?.[0]?.path).toBe('cursor');
      for (const limit of [0, 101, 'many']) {
        const res = await t.visitor.get('/api/v1/organisations', { query: { limit } });
        expect(res.statusCode, String(limit)).toBe(422);
      }
    });
  });
});
