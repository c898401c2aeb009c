import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api';
import type { Bid, BidStatus, Call, CallState } from '../api/types';
import { useApi } from '../app/useApi';
import { useFormat } from '../i18n/format';

/** A call's state as a badge. */
export function CallStateBadge({ state }: { state: CallState }) {
  const { t } = useTranslation();
  const cls = state === 'open' ? 'badge-ok' : state === 'closed' ? 'badge-warn' : 'badge-soft';
  return <span className={`badge ${cls}`}>{t(`calls.state.${state}`)}</span>;
}

/** A bid's status as a badge. */
export function BidStatusBadge({ status }: { status: BidStatus }) {
  const { t } = useTranslation();
  const cls = status === 'awarded' ? 'badge-ok' : status === 'lost' ? 'badge-warn' : 'badge-soft';
  return <span className={`badge ${cls}`}>{t(`calls.bidStatus.${status}`)}</span>;
}

/** What a call asks for: its need, quantity, target price, deadline and requirements. */
export function CallSummary({ call, needLink = true }: { call: Call; needLink?: boolean }) {
  const { t } = useTranslation();
  const f = useFormat();
  const need = useApi(() => (needLink ? api.needs.get(call.needId) : Promise.resolve(null)), [call.needId, needLink]);
  return (
    <div className="call-summary">
      <div className="card-head">
        {needLink && need.state.status === 'ok' && need.state.data ? (
          <Link className="card-title" to={`/needs/${call.needId}`}>
            {need.state.data.title}
          </Link>
        ) : (
          <strong>{t('calls.call')}</strong>
        )}
        <CallStateBadge state={call.state} />
      </div>
      <dl className="terms-grid">
        <div>
          <dt>{t('calls.quantity')}</dt>
          <dd>{t('calls.units', { count: call.quantity, n: f.number(call.quantity) })}</dd>
        </div>
        <div>
          <dt>{t('calls.targetUnitPrice')}</dt>
          <dd>{f.money(call.targetUnitPrice)}</dd>
        </div>
        <div>
          <dt>{t('calls.deadline')}</dt>
          <dd>
            <time dateTime={call.deadline}>{f.dateTime(call.deadline)}</time>{' '}
            <span className="meta">({f.relative(call.deadline)})</span>
          </dd>
        </div>
        {call.awardedQuantity !== null && (
          <div>
            <dt>{t('calls.awardedQuantity')}</dt>
            <dd>{t('calls.units', { count: call.awardedQuantity, n: f.number(call.awardedQuantity) })}</dd>
          </div>
        )}
      </dl>
      <p className="requirements">{call.requirements}</p>
    </div>
  );
}

/** A bid's figures in one line: unit cost, quantities, lead time, capacity, sample. */
export function bidFigures(t: TFunction, f: ReturnType<typeof useFormat>, bid: Bid): string {
  return [
    t('calls.figure.unitCost', { cost: f.money(bid.unitCost) }),
    t('calls.figure.quantities', { min: f.number(bid.minQuantity), max: f.number(bid.maxQuantity) }),
    t('calls.figure.leadTime', { count: bid.leadTimeDays, n: f.number(bid.leadTimeDays) }),
    t('calls.figure.capacity', { n: f.number(bid.capacityPerWeek) }),
    bid.sampleOffered ? t('calls.figure.sample') : t('calls.figure.noSample'),
  ].join(' · ');
}
