import { IdParams, Page } from '../../contracts/common.js';
import { CreateProductBody, Product, ProductListQuery, UpdateProductBody } from '../../contracts/products.js';
import type { HttpApp } from '../../platform/http/server.js';
import type { ProductsService } from './products.service.js';

const tags = ['products'];

export function productsRoutes(service: ProductsService) {
  return (app: HttpApp) => {
    app.post(
      '/api/v1/products',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'Make a product from an accepted need’s chosen solution, linked to its chain group',
          description:
            'Decided specs of closed polls on the need and its solution are attached. 409 while the need is not accepted, ' +
            'has no chosen solution or no chain group; 422 naming the field for a solution or chain group not the need’s, ' +
            'repeated spec keys or SKU codes.',
          body: CreateProductBody,
          response: { 201: Product },
        },
      },
      async (request, reply) => reply.code(201).send(await service.createProduct(request.actor!, request.body)),
    );

    app.get(
      '/api/v1/products',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Products, newest first, by need or chain group, each with its agreement’s version and acceptance',
          querystring: ProductListQuery,
          response: { 200: Page(Product) },
        },
      },
      async (request) =>
        service.listProducts(
          { needId: request.query.needId, chainGroupId: request.query.chainGroupId },
          request.query.limit,
          request.query.cursor,
        ),
    );

    app.get(
      '/api/v1/products/:id',
      {
        config: { access: 'public' },
        schema: { tags, summary: 'One product', params: IdParams, response: { 200: Product } },
      },
      async (request) => service.getProduct(request.params.id),
    );

    app.patch(
      '/api/v1/products/:id',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'Change a product’s name, description, images, free specs or SKUs (each list replaces the old one)',
          params: IdParams,
          body: UpdateProductBody,
          response: { 200: Product },
        },
      },
      async (request) => service.updateProduct(request.actor!, request.params.id, request.body),
    );
  };
}
