import { Comment, CommentListQuery, CreateCommentBody, EditCommentBody, HideCommentBody } from '../../contracts/comments.js';
import { IdParams, Page } from '../../contracts/common.js';
import type { HttpApp } from '../../platform/http/server.js';
import type { CommentTarget } from './comments.repository.js';
import type { CommentsService } from './comments.service.js';

const tags = ['comments'];

export function commentsRoutes(service: CommentsService) {
  return (app: HttpApp) => {
    for (const [path, target] of [
      ['needs', (id: string): CommentTarget => ({ needId: id })],
      ['solutions', (id: string): CommentTarget => ({ solutionId: id })],
    ] as const) {
      app.post(
        `/api/v1/${path}/:id/comments`,
        {
          config: { access: 'member' },
          schema: {
            tags,
            summary: `Comment on a ${path.slice(0, -1)} or reply`,
            params: IdParams,
            body: CreateCommentBody,
            response: { 201: Comment },
          },
        },
        async (request, reply) =>
          reply.code(201).send(await service.postComment(request.actor!, target(request.params.id), request.body)),
      );
      app.get(
        `/api/v1/${path}/:id/comments`,
        {
          config: { access: 'public' },
          schema: {
            tags,
            summary: `A ${path.slice(0, -1)}’s comments, oldest first, with replies`,
            params: IdParams,
            querystring: CommentListQuery,
            response: { 200: Page(Comment) },
          },
        },
        async (request) =>
          service.listComments(target(request.params.id), request.query.limit, request.query.cursor, request.actor),
      );
    }

    app.patch(
      '/api/v1/comments/:id',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'Edit my comment (within 15 minutes)',
          params: IdParams,
          body: EditCommentBody,
          response: { 200: Comment },
        },
      },
      async (request) => service.editComment(request.actor!, request.params.id, request.body.body),
    );

    app.delete(
      '/api/v1/comments/:id',
      { config: { access: 'member' }, schema: { tags, summary: 'Delete my comment', params: IdParams } },
      async (request, reply) => {
        await service.deleteComment(request.actor!, request.params.id);
        return reply.code(204).send();
      },
    );

    app.post(
      '/api/v1/comments/:id/hide',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'Hide or show a comment (moderation)',
          params: IdParams,
          body: HideCommentBody,
          response: { 200: Comment },
        },
      },
      async (request) => service.hideComment(request.actor!, request.params.id, request.body.hidden),
    );
  };
}
