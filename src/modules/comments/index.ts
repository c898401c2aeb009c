import type { HttpApp } from '../../platform/http/server.js';
import { commentsRoutes } from './comments.routes.js';
import { type CommentsDeps, CommentsService } from './comments.service.js';

export { CommentsService };

/** Comments on needs and solutions: replies, @mentions, edits and moderation. */
export function createCommentsModule(deps: CommentsDeps): { service: CommentsService; routes: (app: HttpApp) => void } {
  const service = new CommentsService(deps);
  return { service, routes: commentsRoutes(service) };
}
