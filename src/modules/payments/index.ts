import type { Config } from '../../platform/config.js';
import type { HttpApp } from '../../platform/http/server.js';
import { paymentsRoutes } from './payments.routes.js';
import { type PaymentsDeps, PaymentsService } from './payments.service.js';
import { manualProvider } from './providers/manual.js';
import type { PaymentProvider } from './providers/provider.js';
import { type SimulatedProvider, simulatedProvider } from './providers/simulated.js';

export type { PaymentProvider } from './providers/provider.js';
export type { SimulatedProvider } from './providers/simulated.js';
export { PaymentsService };

/**
 * Payments (支付): the providers named in the configuration (`manual` bank transfer confirmed by an
 * operator, `simulated` for demos and tests), payments and refunds of orders, signed webhooks.
 * `simulated` is the provider's own side too: it sends its webhooks to `webhookUrl()`.
 */
export function createPaymentsModule(
  deps: Omit<PaymentsDeps, 'providers'> & {
    config: Config['payments'];
    /** Where the server listens, for the simulated provider's webhooks when none is configured. */
    selfUrl: () => string | null;
  },
): { service: PaymentsService; simulated: SimulatedProvider | null; routes: (app: HttpApp) => void } {
  const c = deps.config;
  const simulated = c.providers.includes('simulated')
    ? simulatedProvider({
        db: deps.db,
        clock: deps.clock,
        log: deps.log,
        secret: c.webhookSecret,
        toleranceSeconds: c.webhookToleranceSeconds,
        outcome: c.simulated.outcome,
        delayMs: c.simulated.delayMs,
        webhookUrl: () =>
          c.simulated.webhookUrl ?? (deps.selfUrl() ? `${deps.selfUrl()}/api/v1/payments/webhooks/simulated` : null),
      })
    : null;
  const providers: PaymentProvider[] = [];
  if (simulated) providers.push(simulated);
  if (c.providers.includes('manual')) providers.push(manualProvider({ holdHours: c.manualHoldHours, payee: 'Covalue' }));
  const service = new PaymentsService({ ...deps, providers });
  return { service, simulated, routes: paymentsRoutes(service) };
}
