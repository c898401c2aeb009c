import { IdParams, Page } from '../../contracts/common.js';
import { Lot, LotListQuery, RecordLotBody, RecordQaBody, RecordShipmentBody, Shipment } from '../../contracts/lots.js';
import type { HttpApp } from '../../platform/http/server.js';
import type { LotsService } from './lots.service.js';

const tags = ['lots'];
const makers = ['partner', 'operator'] as const;

export function lotsRoutes(service: LotsService) {
  return (app: HttpApp) => {
    app.post(
      '/api/v1/products/:id/lots',
      {
        config: { access: makers },
        schema: {
          tags,
          summary: 'A maker records a lot it produced against its awarded bid for the product',
          description:
            'Only partners of the bid’s organisation, and operators (403). QA is pending until recorded. 422 naming the ' +
            'field for a bid that is unknown, not awarded or not on a call for production of the product’s need, a date ' +
            'in the future, or units that would take the bid’s lots past its awarded quantity; 409 when the lot number ' +
            'is already used for the product.',
          params: IdParams,
          body: RecordLotBody,
          response: { 201: Lot },
        },
      },
      async (request, reply) => reply.code(201).send(await service.recordLot(request.actor!, request.params.id, request.body)),
    );

    app.get(
      '/api/v1/products/:id/lots',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'A product’s lots, newest first, each with its QA result, units fulfilled and shipments',
          params: IdParams,
          querystring: LotListQuery,
          response: { 200: Page(Lot) },
        },
      },
      async (request) => service.listLots(request.params.id, request.query.limit, request.query.cursor),
    );

    app.get(
      '/api/v1/lots/:id',
      {
        config: { access: 'public' },
        schema: { tags, summary: 'One lot with its shipments', params: IdParams, response: { 200: Lot } },
      },
      async (request) => service.getLot(request.params.id),
    );

    app.post(
      '/api/v1/lots/:id/qa',
      {
        config: { access: makers },
        schema: {
          tags,
          summary: 'The maker records the lot’s QA result, passed or failed, once',
          description: 'Only partners of the lot’s organisation, and operators. 409 once a result is recorded.',
          params: IdParams,
          body: RecordQaBody,
          response: { 200: Lot },
        },
      },
      async (request) => service.recordQa(request.actor!, request.params.id, request.body),
    );

    app.post(
      '/api/v1/lots/:id/shipments',
      {
        config: { access: makers },
        schema: {
          tags,
          summary: 'The maker ships units of a lot that passed QA, e.g. to the brand’s warehouse',
          description:
            'Only partners of the lot’s organisation, and operators. 409 unless the lot passed QA; 422 when its ' +
            'shipments would come to more than its units.',
          params: IdParams,
          body: RecordShipmentBody,
          response: { 201: Shipment },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await service.recordShipment(request.actor!, request.params.id, request.body)),
    );

    app.post(
      '/api/v1/shipments/:id/delivered',
      {
        config: { access: makers },
        schema: {
          tags,
          summary: 'The maker records that a lot’s shipment arrived (a second time returns it unchanged)',
          params: IdParams,
          response: { 200: Shipment },
        },
      },
      async (request) => service.recordDelivery(request.actor!, request.params.id),
    );
  };
}
