import type { TFunction } from 'i18next';
import { ApiError } from '../api';
import type { formatters } from '../i18n/format';
import { errorMessage } from './Async';

type Format = ReturnType<typeof formatters>;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/**
 * What went wrong with ordering, paying or changing an order, in the page's language: sold out,
 * not live yet or any more, the per-member limit, a lapsed reservation, a payment under way. The
 * server's own words are never shown for these; anything else falls back to `errorMessage`.
 */
export function campaignProblem(t: TFunction, f: Format, error: unknown): string {
  if (!(error instanceof ApiError)) return errorMessage(t, error);
  const x = error.extra;
  switch (error.kind) {
    case 'sold-out': {
      const remaining = num(x.remaining) ?? 0;
      return remaining > 0 ? t('problems.onlyLeft', { count: remaining, n: f.number(remaining) }) : t('problems.soldOut');
    }
    case 'not-live': {
      const publicStartsAt = str(x.publicStartsAt);
      if (publicStartsAt) return t('problems.firstClaim', { date: f.timeSeconds(publicStartsAt) });
      const startsAt = str(x.startsAt);
      if ((x.state === 'scheduled' || x.state === 'draft') && startsAt) {
        return t('problems.notStarted', { date: f.timeSeconds(startsAt) });
      }
      return t('problems.ended');
    }
    case 'limit-exceeded': {
      const limit = num(x.limit) ?? 0;
      const already = num(x.alreadyOrdered) ?? 0;
      return t('problems.limit', {
        limit: f.number(limit),
        already: f.number(already),
        left: f.number(Math.max(0, limit - already)),
      });
    }
    case 'idempotency-key-reused':
      return t('problems.keyReused');
    case 'conflict': {
      if (str(x.expiresAt)) return t('problems.lapsed');
      if (str(x.paymentId)) return t('problems.paymentUnderway');
      const state = str(x.state);
      if (state && /^(pending_payment|authorised|paid|fulfilled|delivered|completed|cancelled|refunded)$/.test(state)) {
        return t('problems.orderState', { state: t(`orderState.${state}`) });
      }
      if (x.reason === 'is-trial') return t('problems.isTrial');
      return errorMessage(t, error);
    }
    default:
      return errorMessage(t, error);
  }
}
