import { afterAll, beforeAll, expect, it } from 'vitest';
import { newCommunity, newNeed, newScene } from './factories.js';
import { createTestApp, forEachBackend, type Persona, problem, type TestApp } from './harness.js';

forEachBackend((backend) => {
  let t: TestApp;
  let supporter: Persona;
  let needId: string;
  beforeAll(async () => {
    t = await createTestApp(backend);
    const op = await t.operator();
    const author = await t.signUp('author');
    supporter = await t.signUp('supporter');
    needId = (await newNeed(author, (await newScene(author, (await newCommunity(op)).id)).id)).id;
  });
  afterAll(() => t.close());

  it('takes an empty body sent as JSON as no body (PUT /support with Content-Type and nothing else)', async () => {
    const res = await supporter.put(`/api/v1/needs/${needId}/support`, undefined, {
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ supported: true, supportCount: 1 });
    const del = await supporter.delete(`/api/v1/needs/${needId}/support`, { headers: { 'content-type': 'application/json' } });
    expect(del.json()).toEqual({ supported: false, supportCount: 0 });
  });

  it('still refuses malformed JSON with 400 and prototype poisoning with 400', async () => {
    const headers = { 'content-type': 'application/json' };
    const bad = await t.app.http.inject({
      method: 'PUT',
      url: `/api/v1/needs/${needId}/support`,
      headers: { ...headers, authorization: '' },
      payload: '{"intent":',
    });
    expect(bad.statusCode).toBe(400);
    const poisoned = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers,
      payload: '{"email":"a@b.c","password":"x","__proto__":{"admin":true}}',
    });
    expect(poisoned.statusCode).toBe(400);
    expect(problem(poisoned).type).toMatch(/bad-request$/);
  });

  it('answers a required body that is missing with 422', async () => {
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expect(res.statusCode).toBe(422);
  });
});
