import type { HttpApp } from '../../platform/http/server.js';
import { notificationsRoutes } from './notifications.routes.js';
import { type NotificationsDeps, NotificationsService, TOLD } from './notifications.service.js';

export { NotificationsService };

/** The event types that put a notification in a member's inbox (subscribe the service's `onEvents` to them). */
export const NOTIFIED_EVENTS = Object.keys(TOLD);

/**
 * Notifications (通知): each member's inbox of what happened to their orders (paid, cancelled with
 * the reason — e.g. a crowdfunding goal missed —, shipped, delivered, refunded) and trial
 * applications (selected or not), written by an event subscriber exactly once per event.
 */
export function createNotificationsModule(deps: NotificationsDeps): {
  service: NotificationsService;
  routes: (app: HttpApp) => void;
} {
  const service = new NotificationsService(deps);
  return { service, routes: notificationsRoutes(service) };
}
