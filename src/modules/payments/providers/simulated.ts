import type { Logger } from 'pino';
import { request } from 'undici';
import { batched } from '../../../platform/batching.js';
import type { Clock } from '../../../platform/clock.js';
import type { Database, Executor } from '../../../platform/db/database.js';
import { AppError } from '../../../platform/errors.js';
import { newId } from '../../../platform/ids.js';
import type { SimulatedChargesTable } from '../payments.tables.js';
import { SIGNATURE_HEADER, sign, verify } from '../webhook-signature.js';
import type { ChargeRequest, ChargeResult, PaymentProvider, ProviderEvent, RefundResult } from './provider.js';
import { simulatedRepository as repo } from './simulated.repository.js';

export interface SimulatedProviderOptions {
  db: Database;
  clock: Clock;
  log: Logger;
  /** Signs the webhooks it sends and checks those it receives. */
  secret: string;
  toleranceSeconds: number;
  /** What the simulated payer does unless a payment says otherwise. */
  outcome: 'succeed' | 'decline';
  delayMs: number;
  /** Where to send webhooks; null while unknown (the server is not listening yet). */
  webhookUrl: () => string | null;
}

export interface SimulatedProvider extends PaymentProvider {
  /** Sends the webhooks that are due, signed, at least once each; returns how many were taken. */
  deliverWebhooks(limit?: number): Promise<number>;
  /** Webhooks not delivered yet. */
  undelivered(): Promise<number>;
}

const EVENT_TYPES = new Set<ProviderEvent['type']>([
  'charge.authorised',
  'charge.captured',
  'charge.failed',
  'charge.voided',
  'refund.succeeded',
  'refund.failed',
]);

/**
 * A payment provider for demos and tests that behaves like a real one: it keeps its own books
 * (charges, refunds), answers each call idempotently by Covalue's id, decides outcomes as
 * configured (succeed or decline, at once or after a delay) and tells every change by a signed
 * webhook sent over HTTP to the server, retried until the server answers (2xx, or 4xx: refused).
 */
export function simulatedProvider(o: SimulatedProviderOptions): SimulatedProvider {
  const nowOf = () => o.clock.now();

  function resultOf(ch: SimulatedChargesTable, now: Date): ChargeResult {
    if (now.toISOString() < ch.settles_at && ch.status !== 'voided') {
      return {
        status: 'pending',
        providerRef: ch.ref,
        nextAction: { kind: 'wait', reference: null, instructions: 'The simulated payer is confirming the payment' },
      };
    }
    return { status: ch.status, providerRef: ch.ref, failureReason: ch.failure_reason };
  }

  function webhookRow(
    type: ProviderEvent['type'],
    ch: SimulatedChargesTable,
    dueAt: string,
    extra: { refundId?: string; amount?: number } = {},
  ) {
    const id = newId('evt_sim');
    const payload = {
      id,
      type,
      created: Math.floor(nowOf().getTime() / 1000),
      data: {
        paymentId: ch.payment_id,
        providerRef: ch.ref,
        amount: extra.amount ?? Number(ch.amount),
        currency: ch.currency,
        ...(extra.refundId ? { refundId: extra.refundId } : {}),
        failureReason: ch.failure_reason,
      },
    };
    return {
      event_id: id,
      payload: JSON.stringify(payload),
      due_at: dueAt,
      claimed_until: null,
      attempts: 0,
      delivered_at: null,
      last_status: null,
      last_error: null,
    };
  }

  const queue = (trx: Executor, ...args: Parameters<typeof webhookRow>) => repo.queueWebhooks(trx, [webhookRow(...args)]);

  /** Runs `fn` on the locked charge of a payment; a missing charge is an error (the caller retries). */
  function withCharge<T>(paymentId: string, fn: (trx: Executor, ch: SimulatedChargesTable, now: Date) => Promise<T>): Promise<T> {
    return o.db.transaction(async (trx) => {
      const ch = await repo.findChargeForUpdate(trx, paymentId);
      if (!ch) throw new Error(`simulated provider: no charge for ${paymentId}`);
      return fn(trx, ch, nowOf());
    });
  }

  /** Charges asked for together are booked together: one transaction, one statement per table. */
  const chargeBatched = batched<ChargeRequest, ChargeResult>(async (requests) => {
    const now = nowOf();
    const rows = requests.map((request): SimulatedChargesTable => {
      const outcome = request.simulate?.outcome ?? o.outcome;
      const delay = request.simulate?.delayMs ?? o.delayMs;
      const status = outcome === 'decline' ? 'failed' : request.capture ? 'captured' : 'authorised';
      return {
        ref: newId('sim_ch', now),
        payment_id: request.paymentId,
        amount: request.amount,
        currency: request.currency,
        capture: request.capture ? 1 : 0,
        status,
        settles_at: new Date(now.getTime() + delay).toISOString(),
        failure_reason: status === 'failed' ? 'card_declined (simulated)' : null,
        captured_amount: status === 'captured' ? request.amount : 0,
        refunded_amount: 0,
        created_at: now.toISOString(),
      };
    });
    const charges = await o.db.transaction(async (trx) => {
      const { created, existing } = await repo.insertCharges(trx, rows);
      await repo.queueWebhooks(
        trx,
        rows.filter((r) => created.has(r.payment_id)).map((ch) => webhookRow(`charge.${ch.status}`, ch, ch.settles_at)),
      );
      return rows.map((r) => (created.has(r.payment_id) ? r : existing.get(r.payment_id)!));
    });
    return charges.map((ch) => resultOf(ch, now));
  });

  return {
    name: 'simulated',
    capabilities: { authorisation: true, webhooks: true, operatorConfirms: false, holdMinutes: 15, maxAuthorisationDays: null },

    charge: (request) => chargeBatched(request),

    async retrieve(paymentId) {
      const ch = await repo.findCharge(o.db.kysely, paymentId);
      if (!ch) return { status: 'failed', providerRef: null, failureReason: 'the provider has no such charge' };
      return resultOf(ch, nowOf());
    },

    capture({ paymentId, amount }) {
      return withCharge(paymentId, async (trx, ch, now) => {
        if (now.toISOString() < ch.settles_at) throw new Error('simulated provider: the charge has not settled yet');
        if (ch.status !== 'authorised') return resultOf(ch, now);
        if (amount > Number(ch.amount))
          return { status: 'authorised', providerRef: ch.ref, failureReason: 'capture exceeds the authorisation' };
        const next = { ...ch, status: 'captured' as const, captured_amount: amount };
        await repo.updateCharge(trx, ch.ref, { status: 'captured', captured_amount: amount });
        await queue(trx, 'charge.captured', next, now.toISOString(), { amount });
        return resultOf(next, now);
      });
    },

    void({ paymentId }) {
      return withCharge(paymentId, async (trx, ch, now) => {
        const unsettled = now.toISOString() < ch.settles_at;
        if (ch.status === 'voided' || ch.status === 'failed' || (ch.status === 'captured' && !unsettled))
          return resultOf(ch, now);
        const next = { ...ch, status: 'voided' as const, captured_amount: 0, settles_at: now.toISOString() };
        await repo.updateCharge(trx, ch.ref, { status: 'voided', captured_amount: 0, settles_at: next.settles_at });
        await queue(trx, 'charge.voided', next, now.toISOString());
        return resultOf(next, now);
      });
    },

    async refund(request): Promise<RefundResult> {
      return withCharge(request.paymentId, async (trx, ch, now) => {
        if (ch.status !== 'captured' || now.toISOString() < ch.settles_at) {
          return { status: 'failed', providerRef: null, failureReason: 'nothing captured to refund' };
        }
        const inserted = await repo.insertRefund(trx, {
          refund_id: request.refundId,
          charge_ref: ch.ref,
          amount: request.amount,
          created_at: now.toISOString(),
        });
        const ref = `sim_re_${request.refundId}`;
        if (!inserted) return { status: 'succeeded', providerRef: ref };
        if (Number(ch.refunded_amount) + request.amount > Number(ch.captured_amount)) {
          throw new Error('simulated provider: refund exceeds what was captured');
        }
        await repo.updateCharge(trx, ch.ref, { refunded_amount: Number(ch.refunded_amount) + request.amount });
        await queue(trx, 'refund.succeeded', ch, now.toISOString(), { refundId: request.refundId, amount: request.amount });
        return { status: 'succeeded', providerRef: ref };
      });
    },

    parseWebhook({ headers, rawBody, now }) {
      const header = headers[SIGNATURE_HEADER];
      const why = verify(
        o.secret,
        Array.isArray(header) ? header[0] : header,
        rawBody,
        Math.floor(now.getTime() / 1000),
        o.toleranceSeconds,
      );
      if (why) throw new AppError('webhook_rejected', `Webhook refused: ${why}`);
      let body: { id?: unknown; type?: unknown; data?: Record<string, unknown> };
      try {
        body = JSON.parse(rawBody);
      } catch {
        throw new AppError('webhook_rejected', 'Webhook refused: the body is not JSON');
      }
      const d = body.data ?? {};
      if (
        typeof body.id !== 'string' ||
        !EVENT_TYPES.has(body.type as ProviderEvent['type']) ||
        typeof d.paymentId !== 'string' ||
        typeof d.providerRef !== 'string' ||
        !Number.isSafeInteger(d.amount) ||
        typeof d.currency !== 'string'
      ) {
        throw new AppError('webhook_rejected', 'Webhook refused: not an event this provider sends');
      }
      return {
        id: body.id,
        type: body.type as ProviderEvent['type'],
        paymentId: d.paymentId,
        refundId: typeof d.refundId === 'string' ? d.refundId : undefined,
        providerRef: d.providerRef,
        amount: d.amount as number,
        currency: d.currency,
        failureReason: typeof d.failureReason === 'string' ? d.failureReason : null,
      };
    },

    async deliverWebhooks(limit = 100) {
      const url = o.webhookUrl();
      if (!url) return 0;
      const now = nowOf();
      const nowIso = now.toISOString();
      const claimed = await o.db.transaction((trx) =>
        repo.claimDue(trx, nowIso, new Date(now.getTime() + 30_000).toISOString(), limit),
      );
      const outcomes = await Promise.all(
        claimed.map(async (w) => {
          try {
            // undici's request, not fetch: on Node 20 fetch costs several times more per call
            // (docs/benchmarks.md, flash), and a sale sends one webhook per payment.
            const res = await request(url, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                [SIGNATURE_HEADER]: sign(o.secret, w.payload, Math.floor(nowOf().getTime() / 1000)),
              },
              body: w.payload,
              headersTimeout: 10_000,
              bodyTimeout: 10_000,
            });
            await res.body.dump().catch(() => undefined);
            return { w, status: res.statusCode, error: res.statusCode >= 500 ? `HTTP ${res.statusCode}` : null };
          } catch (err) {
            return { w, status: null, error: (err as Error).message };
          }
        }),
      );
      // 2xx: taken; 4xx: refused for good (a replay, an unknown payment): retrying would not help.
      const done = outcomes.filter((x) => x.error === null);
      await o.db.transaction(async (trx) => {
        for (const status of new Set(done.map((x) => x.status!))) {
          await repo.markDelivered(
            trx,
            done.filter((x) => x.status === status).map((x) => x.w.id),
            status,
            nowOf().toISOString(),
          );
        }
        for (const f of outcomes.filter((x) => x.error !== null)) {
          const backoff = Math.min(300_000, 1000 * 2 ** Math.min(f.w.attempts, 10));
          await repo.markFailed(trx, f.w.id, new Date(nowOf().getTime() + backoff).toISOString(), f.error!, f.status);
          o.log.warn(
            { webhook: f.w.event_id, attempts: f.w.attempts, error: f.error },
            'simulated provider: webhook delivery failed; will retry',
          );
        }
      });
      for (const x of done) {
        if (x.status! >= 400)
          o.log.warn({ webhook: x.w.event_id, status: x.status }, 'simulated provider: the server refused a webhook');
      }
      return claimed.length;
    },

    undelivered() {
      return repo.undelivered(o.db.kysely);
    },
  };
}
