import {
  Campaign,
  CampaignListQuery,
  CreateCampaignBody,
  Order,
  OrderListQuery,
  Sales,
  SalesQuery,
  Stock,
  StockAudit,
  UpdateCampaignBody,
} from '../../contracts/campaigns.js';
import { IdParams, Page } from '../../contracts/common.js';
import type { HttpApp } from '../../platform/http/server.js';
import type { CampaignsService } from './campaigns.service.js';
import type { OrdersService } from './orders.service.js';

const tags = ['campaigns'];

export function campaignsRoutes(service: CampaignsService, orders: OrdersService) {
  return (app: HttpApp) => {
    app.post(
      '/api/v1/campaigns',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'Draft a campaign for a product: presale, crowdfunding, flash sale or trial',
          description:
            'The product is productId, or the only product of needId. Price tiers price the first N units, then the next; ' +
            'a crowdfunding campaign needs a goal; firstClaim gives supporters with purchase intent an early window ' +
            'and/or reserved units. Every problem is a 422 naming its field.',
          body: CreateCampaignBody,
          response: { 201: Campaign },
        },
      },
      async (request, reply) => reply.code(201).send(await service.createCampaign(request.actor!, request.body)),
    );

    app.get(
      '/api/v1/campaigns',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Campaigns, newest first, by product, state (as of now) and mode; drafts for operators only',
          querystring: CampaignListQuery,
          response: { 200: Page(Campaign) },
        },
      },
      async (request) =>
        service.listCampaigns(
          request.actor,
          { productId: request.query.productId, state: request.query.state, mode: request.query.mode },
          request.query.limit,
          request.query.cursor,
        ),
    );

    app.get(
      '/api/v1/campaigns/:id',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'One campaign: state, stock, tier in force, goal progress',
          params: IdParams,
          response: { 200: Campaign },
        },
      },
      async (request) => service.getVisibleCampaign(request.actor, request.params.id),
    );

    app.get(
      '/api/v1/campaigns/:id/stock',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'State, units left and the tier in force only, with the server’s time: cheap enough to poll during a sale',
          params: IdParams,
          response: { 200: Stock },
        },
      },
      async (request) => service.getStock(request.actor, request.params.id),
    );

    app.patch(
      '/api/v1/campaigns/:id',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'Change a draft campaign (its terms are checked together again)',
          params: IdParams,
          body: UpdateCampaignBody,
          response: { 200: Campaign },
        },
      },
      async (request) => service.updateCampaign(request.actor!, request.params.id, request.body),
    );

    app.post(
      '/api/v1/campaigns/:id/launch',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'Launch a draft: scheduled until it starts, then live',
          description: '409 when the product’s value-sharing agreement is not accepted by every party (extra: pending parties).',
          params: IdParams,
          response: { 200: Campaign },
        },
      },
      async (request) => service.launchCampaign(request.actor!, request.params.id),
    );

    app.post(
      '/api/v1/campaigns/:id/end',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'End a live or scheduled campaign now (a crowdfunding goal is decided at once)',
          params: IdParams,
          response: { 200: Campaign },
        },
      },
      async (request) => service.endCampaign(request.actor!, request.params.id),
    );

    app.post(
      '/api/v1/campaigns/:id/settle',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary:
            'Settle an ended campaign once no order waits on money (a crowdfunding goal is decided first if the deadline passed)',
          description:
            '409 before the end, or while payments are still being captured, voided or refunded. A trial settles here once its samples are out.',
          params: IdParams,
          response: { 200: Campaign },
        },
      },
      async (request) => service.settleCampaign(request.actor!, request.params.id),
    );

    app.get(
      '/api/v1/campaigns/:id/sales',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'Units placed and paid per interval, and orders by state: the live sales chart',
          params: IdParams,
          querystring: SalesQuery,
          response: { 200: Sales },
        },
      },
      async (request) => service.sales(request.params.id, request.query.interval),
    );

    app.get(
      '/api/v1/campaigns/:id/audit',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary:
            'The stock counters checked against the orders: sold equals the units orders hold, sold + remaining = quantity',
          params: IdParams,
          response: { 200: StockAudit },
        },
      },
      async (request) => orders.auditStock(request.params.id),
    );

    app.get(
      '/api/v1/campaigns/:id/orders',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'A campaign’s orders, oldest first',
          params: IdParams,
          querystring: OrderListQuery.omit({ campaignId: true }),
          response: { 200: Page(Order) },
        },
      },
      async (request) =>
        orders.listCampaignOrders(request.params.id, { state: request.query.state }, request.query.limit, request.query.cursor),
    );
  };
}
