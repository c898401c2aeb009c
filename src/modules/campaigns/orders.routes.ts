import {
  FulfilBody,
  FulfilmentQueueQuery,
  IdempotencyHeaders,
  Order,
  OrderListQuery,
  PlaceOrderBody,
  Shipping,
} from '../../contracts/campaigns.js';
import { IdParams, Page, Problem } from '../../contracts/common.js';
import type { HttpApp } from '../../platform/http/server.js';
import type { OrdersService } from './orders.service.js';

const tags = ['orders'];

export function ordersRoutes(service: OrdersService) {
  return (app: HttpApp) => {
    app.post(
      '/api/v1/campaigns/:id/orders',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'Order units of a live campaign: reserves them at once; the order is pending payment until paid or it lapses',
          description:
            'Idempotency-Key: the same key and body answer with the order already placed (header idempotent-replayed: true), ' +
            'never a second one; the key with another body is a 422 idempotency-key-reused. ' +
            '409 sold-out (extra: remaining), 409 not-live (not started, ended, or the supporters’ first claim), ' +
            '422 limit-exceeded (extra: limit, alreadyOrdered).',
          params: IdParams,
          headers: IdempotencyHeaders,
          body: PlaceOrderBody,
          response: { 201: Order, 409: Problem, 422: Problem },
        },
      },
      async (request, reply) => {
        const { order, replayed } = await service.placeOrder(
          request.actor!,
          request.params.id,
          request.body,
          request.headers['idempotency-key'],
        );
        if (replayed) reply.header('idempotent-replayed', 'true');
        return reply.code(201).send(order);
      },
    );

    app.get(
      '/api/v1/me/orders',
      {
        config: { access: 'member' },
        schema: { tags, summary: 'My orders, newest first', querystring: OrderListQuery, response: { 200: Page(Order) } },
      },
      async (request) =>
        service.listMyOrders(
          request.actor!,
          { state: request.query.state, campaignId: request.query.campaignId },
          request.query.limit,
          request.query.cursor,
        ),
    );

    app.get(
      '/api/v1/orders/:id',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'One order: for its buyer, operators and the makers of its product',
          params: IdParams,
          response: { 200: Order },
        },
      },
      async (request) => service.getOrder(request.actor!, request.params.id),
    );

    app.post(
      '/api/v1/orders/:id/cancel',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'Cancel an order that has not shipped (buyer or operator): its units return to stock',
          description:
            'An authorisation is voided and captured money refunded in full by the payments module. Cancelling a cancelled order changes nothing.',
          params: IdParams,
          response: { 200: Order },
        },
      },
      async (request) => service.cancelOrder(request.actor!, request.params.id),
    );

    app.put(
      '/api/v1/orders/:id/shipping',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'Set where to deliver (the buyer, until the order ships)',
          params: IdParams,
          body: Shipping,
          response: { 200: Order },
        },
      },
      async (request) => service.setShipping(request.actor!, request.params.id, request.body),
    );

    app.post(
      '/api/v1/orders/:id/fulfil',
      {
        config: { access: ['partner', 'operator'] },
        schema: {
          tags,
          summary: 'A maker ships a paid order: the lot the units come from, carrier and tracking number',
          description:
            'Also corrects the lot or tracking of a fulfilled order (the units move to the new lot). Only partners of the ' +
            'product’s maker organisations, and operators. 422 naming `lot` unless it is a lot the organisation recorded ' +
            'for the product, passed QA, with the order’s units left.',
          params: IdParams,
          body: FulfilBody,
          response: { 200: Order },
        },
      },
      async (request) => service.fulfilOrder(request.actor!, request.params.id, request.body),
    );

    app.post(
      '/api/v1/orders/:id/deliver',
      {
        config: { access: ['partner', 'operator'] },
        schema: {
          tags,
          summary: 'Record that the carrier delivered a shipped order',
          params: IdParams,
          response: { 200: Order },
        },
      },
      async (request) => service.deliverOrder(request.actor!, request.params.id),
    );

    app.post(
      '/api/v1/orders/:id/complete',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary:
            'The buyer confirms a shipped order arrived as it should (orders also complete on their own some days after delivery)',
          params: IdParams,
          response: { 200: Order },
        },
      },
      async (request) => service.completeOrder(request.actor!, request.params.id),
    );

    app.get(
      '/api/v1/fulfilment/orders',
      {
        config: { access: ['partner', 'operator'] },
        schema: {
          tags,
          summary: 'Orders for the caller’s organisations to make and ship, oldest first (operators: all)',
          querystring: FulfilmentQueueQuery,
          response: { 200: Page(Order) },
        },
      },
      async (request) =>
        service.listFulfilmentQueue(
          request.actor!,
          { state: request.query.state, campaignId: request.query.campaignId },
          request.query.limit,
          request.query.cursor,
        ),
    );
  };
}
