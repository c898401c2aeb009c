import { IdParams, Page } from '../../contracts/common.js';
import { CreateSceneBody, Scene, SceneListQuery } from '../../contracts/scenes.js';
import type { HttpApp } from '../../platform/http/server.js';
import type { ScenesService } from './scenes.service.js';

const tags = ['scenes'];

export function scenesRoutes(service: ScenesService) {
  return (app: HttpApp) => {
    app.post(
      '/api/v1/scenes',
      {
        config: { access: 'member' },
        schema: { tags, summary: 'Describe a scene', body: CreateSceneBody, response: { 201: Scene } },
      },
      async (request, reply) => reply.code(201).send(await service.describeScene(request.actor!, request.body)),
    );

    app.get(
      '/api/v1/scenes',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'List or search scenes, newest first',
          querystring: SceneListQuery,
          response: { 200: Page(Scene) },
        },
      },
      async (request) => {
        const { limit, cursor, ...filter } = request.query;
        return service.listScenes(filter, limit, cursor);
      },
    );

    app.get(
      '/api/v1/scenes/:id',
      { config: { access: 'public' }, schema: { tags, summary: 'One scene', params: IdParams, response: { 200: Scene } } },
      async (request) => service.getScene(request.params.id),
    );
  };
}
