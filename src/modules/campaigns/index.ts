import type { HttpApp } from '../../platform/http/server.js';
import { CampaignFacts } from './campaigns.facts.js';
import { campaignsRoutes } from './campaigns.routes.js';
import { type CampaignsDeps, CampaignsService } from './campaigns.service.js';
import { ordersRoutes } from './orders.routes.js';
import { type OrdersDeps, OrdersService } from './orders.service.js';
import { trialsRoutes } from './trials.routes.js';
import { type TrialsDeps, TrialsService } from './trials.service.js';

export type { OrderToPay, PaymentOutcome } from './orders.service.js';
export { CampaignsService, OrdersService, TrialsService };

/**
 * Campaigns (产消款) and their orders: a product's limited run as a presale, an all-or-nothing
 * crowdfunding, a flash sale or a free trial. Orders reserve units atomically (never more than the
 * quantity, in any number of processes) and move through payment (by the payments module, through
 * `orders.startPayment` / `recordPayment` / `recordRefund`), fulfilment by the product's makers and
 * delivery. Trials select applicants by hand or by a seeded draw and collect their feedback.
 */
export function createCampaignsModule(
  deps: Omit<CampaignsDeps, 'orders'> &
    Omit<OrdersDeps, 'config' | 'facts'> &
    Pick<TrialsDeps, 'accounts'> & { config: CampaignsDeps['config'] & OrdersDeps['config'] },
): {
  service: CampaignsService;
  orders: OrdersService;
  trials: TrialsService;
  /** A launched campaign's title, mode, need, chain group and agreement version (inside the caller's transaction). */
  facts: CampaignFacts;
  routes: (app: HttpApp) => void;
} {
  const facts = new CampaignFacts();
  const orders = new OrdersService({ ...deps, facts });
  const service = new CampaignsService({ ...deps, orders });
  const trials = new TrialsService({ ...deps, orders });
  return {
    service,
    orders,
    trials,
    facts,
    routes: (app) => {
      campaignsRoutes(service, orders)(app);
      ordersRoutes(orders)(app);
      trialsRoutes(trials)(app);
    },
  };
}
