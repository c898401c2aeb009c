// The baseline: a bare Fastify POST route that parses a JSON body and answers JSON, nothing else.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/healthz', async () => ({ status: 'ok' }));
app.post('/bare', async (request) => ({ ok: true, got: request.body }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
