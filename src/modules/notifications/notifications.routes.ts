import { Page } from '../../contracts/common.js';
import { Notification, NotificationListQuery, ReadBody, UnreadCount } from '../../contracts/notifications.js';
import type { HttpApp } from '../../platform/http/server.js';
import type { NotificationsService } from './notifications.service.js';

const tags = ['notifications'];

export function notificationsRoutes(service: NotificationsService) {
  return (app: HttpApp) => {
    app.get(
      '/api/v1/me/notifications',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'My notifications, newest first',
          querystring: NotificationListQuery,
          response: { 200: Page(Notification) },
        },
      },
      async (request) => service.list(request.actor!, request.query.unread, request.query.limit, request.query.cursor),
    );

    app.get(
      '/api/v1/me/notifications/unread',
      {
        config: { access: 'member' },
        schema: { tags, summary: 'How many of my notifications are unread', response: { 200: UnreadCount } },
      },
      async (request) => service.unread(request.actor!),
    );

    app.post(
      '/api/v1/me/notifications/read',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'Mark my notifications read (all, or up to one)',
          body: ReadBody,
          response: { 200: UnreadCount },
        },
      },
      async (request) => service.markRead(request.actor!, request.body.upTo),
    );
  };
}
