import type { HttpApp } from '../../platform/http/server.js';
import { productsRoutes } from './products.routes.js';
import { type ProductsDeps, ProductsService } from './products.service.js';

export { ProductsService };

/**
 * Products (产品): made by operators from an accepted need's chosen solution, linked to its chain
 * group and that group's value-sharing agreement (`agreement: { version, acceptedByAll }` on every
 * product), with decided poll specs, free specs and SKUs.
 */
export function createProductsModule(deps: ProductsDeps): { service: ProductsService; routes: (app: HttpApp) => void } {
  const service = new ProductsService(deps);
  return { service, routes: productsRoutes(service) };
}
