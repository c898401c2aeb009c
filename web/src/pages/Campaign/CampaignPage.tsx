import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api } from '../../api';
import { syncServerClock } from '../../api/serverClock';
import type { Campaign, CampaignState, CampaignStock, Order } from '../../api/types';
import { useAuth } from '../../app/auth';
import { useApi } from '../../app/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { Async } from '../../components/Async';
import { CampaignModeBadge, CampaignStateBadge } from '../../components/CampaignCard';
import { Countdown, useServerNow } from '../../components/Countdown';
import { RichText } from '../../components/RichText';
import { useFormat } from '../../i18n/format';
import { BuyPanel } from './BuyPanel';
import { TrialFeedbackList, TrialPanel } from './TrialPanel';

/** Loads a campaign and sets the server clock from its `now` (countdowns run on the server's time). */
async function loadCampaign(id: string): Promise<Campaign> {
  const sentAt = Date.now();
  const c = await api.campaigns.get(id);
  syncServerClock(Date.parse(c.now), sentAt, Date.now(), true);
  return c;
}

/** The state a campaign is in at `now` on the server's clock, before the next poll says so. */
export function clockState(s: CampaignStock, now: number): CampaignState {
  if (s.state === 'scheduled' && now >= Date.parse(s.startsAt)) return s.remaining > 0 ? 'live' : 'sold_out';
  if ((s.state === 'live' || s.state === 'sold_out') && now >= Date.parse(s.endsAt)) return 'ended';
  return s.state;
}

/** Poll intervals while a sale may still move: fast around the start and while live, slower when sold out. */
const POLL_MS: Partial<Record<CampaignState, number>> = { scheduled: 2000, live: 2000, sold_out: 10_000 };

/**
 * The live stock of a campaign: polled every two seconds while scheduled or live (units held by
 * unpaid orders may come back after a sell-out, so it is polled slowly then), never once ended.
 * Also polled at once when the countdown reaches the start or end. Each answer sets the clock.
 */
function useLiveStock(campaign: Campaign) {
  const [stock, setStock] = useState<CampaignStock>(campaign);
  const [stale, setStale] = useState(false);
  const on = stock.state === 'scheduled' || stock.state === 'live' || stock.state === 'sold_out';
  const now = useServerNow(on);
  const shown = clockState(stock, now);
  const id = campaign.id;

  const poll = useCallback(async () => {
    const sentAt = Date.now();
    try {
      const s = await api.campaigns.stock(id);
      syncServerClock(Date.parse(s.now), sentAt, Date.now(), true);
      setStock(s);
      setStale(false);
    } catch {
      setStale(true);
    }
  }, [id]);

  useEffect(() => {
    const every = POLL_MS[shown];
    // The clock says the state moved: ask the server now rather than at the next tick.
    if (shown !== stock.state) void poll();
    if (!every) return;
    const timer = setInterval(() => {
      if (!document.hidden) void poll();
    }, every);
    return () => clearInterval(timer);
  }, [shown, stock.state, poll]);

  return { stock, shown, now, poll, stale, setStock };
}

/** A campaign (产消款): a flash sale, presale or crowdfunding with its live stock and the buy flow; or a trial. */
export default function CampaignPage() {
  const { id = '' } = useParams();
  const campaign = useApi(() => loadCampaign(id), [id]);
  return (
    <Async state={campaign.state} reload={campaign.reload}>
      {(c) => <CampaignView campaign={c} replace={(next) => campaign.set(() => next)} />}
    </Async>
  );
}

function CampaignView({ campaign, replace }: { campaign: Campaign; replace: (c: Campaign) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { me, isOperator } = useAuth();
  usePageTitle(campaign.title);
  const live = useLiveStock(campaign);
  const { stock, shown } = live;
  const mine = useApi(
    () =>
      me && campaign.mode !== 'trial'
        ? api.orders.mine({ campaignId: campaign.id, limit: 100 }).then((p) => p.items)
        : Promise.resolve([] as Order[]),
    [campaign.id, me?.id],
  );

  // The goal's money and the tier table follow the stock: reload the campaign quietly when units move.
  const seenSold = useRef(campaign.sold);
  useEffect(() => {
    if (stock.sold === seenSold.current) return;
    seenSold.current = stock.sold;
    api.campaigns.get(campaign.id).then(replace, () => undefined);
  }, [stock.sold, campaign.id, replace]);

  const trial = campaign.mode === 'trial';
  const soldOut = shown === 'sold_out';
  const over = shown === 'ended' || shown === 'settled';

  return (
    <article className="campaign">
      <header className="page-head">
        <p className="eyebrow">
          <Link to={`/products/${campaign.productId}`}>{t('campaign.ofProduct', { name: campaign.productName })}</Link>
        </p>
        <div className="title-row">
          <h1>{campaign.title}</h1>
          <CampaignModeBadge mode={campaign.mode} />
          <CampaignStateBadge state={shown} />
        </div>
        <p className="meta">
          {t('campaign.window', { starts: f.timeSeconds(campaign.startsAt), ends: f.dateTime(campaign.endsAt) })}
        </p>
        {isOperator && (
          <p>
            <Link className="btn btn-small" to={`/operator/campaigns/${campaign.id}`}>
              {t('campaign.manage')}
            </Link>
          </p>
        )}
      </header>
      {soldOut && (
        <div className="sold-out-banner" role="status">
          <strong>{trial ? t('campaign.samplesGone') : t('campaign.soldOut')}</strong>
          <span>{trial ? t('campaign.samplesGoneHint') : t('campaign.soldOutHint')}</span>
        </div>
      )}
      {over && (
        <div className="sold-out-banner is-ended" role="status">
          <strong>{trial ? t('campaign.trialEnded') : t('campaign.ended')}</strong>
          {campaign.outcome && <span>{t(`campaign.outcome.${campaign.outcome}`)}</span>}
        </div>
      )}
      <div className="columns campaign-columns">
        <aside className="col-side" aria-labelledby="campaign-status">
          <h2 id="campaign-status" className="sr-only">
            {t('campaign.status')}
          </h2>
          <SaleStatus campaign={campaign} stock={stock} shown={shown} stale={live.stale} />
        </aside>
        <div className="col-main">
          {trial ? (
            <TrialPanel campaign={campaign} shown={shown} />
          ) : (
            <BuyPanel
              campaign={campaign}
              stock={stock}
              shown={shown}
              mine={mine.state.status === 'ok' ? mine.state.data : []}
              onChanged={() => {
                mine.reload();
                void live.poll();
              }}
              onRefused={(remaining) => {
                // The server knows better than this page: show what it said, and ask it for the stock now.
                if (remaining === 0)
                  live.setStock((s) => ({ ...s, remaining: 0, sold: s.quantity, tier: null, state: 'sold_out' }));
                void live.poll();
              }}
            />
          )}
          {campaign.description && (
            <section aria-labelledby="campaign-about">
              <h2 id="campaign-about">{t('campaign.about')}</h2>
              <RichText text={campaign.description} />
            </section>
          )}
          {!trial && <Tiers campaign={campaign} stock={stock} />}
          {trial && <TrialFeedbackList campaignId={campaign.id} />}
        </div>
      </div>
    </article>
  );
}

/** The live side panel: countdown, units left with a bar, the price in force, the limit, the goal and the first claim. */
function SaleStatus({
  campaign,
  stock,
  shown,
  stale,
}: {
  campaign: Campaign;
  stock: CampaignStock;
  shown: CampaignState;
  stale: boolean;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const trial = campaign.mode === 'trial';
  const ratio = stock.quantity ? Math.min(1, stock.sold / stock.quantity) : 0;
  const leftText = trial
    ? t('campaign.samplesLeft', { count: stock.remaining, n: f.number(stock.remaining), quantity: f.number(stock.quantity) })
    : t('campaign.unitsLeft', { count: stock.remaining, n: f.number(stock.remaining), quantity: f.number(stock.quantity) });
  return (
    <div className={`sale-panel state-${shown}`}>
      {(shown === 'scheduled' || shown === 'draft') && (
        <Countdown to={stock.startsAt} label={trial ? t('campaign.applyIn') : t('campaign.startsIn')} className="is-big" />
      )}
      {(shown === 'live' || shown === 'sold_out') && <Countdown to={stock.endsAt} label={t('campaign.endsIn')} />}
      <div className="stock" aria-live="polite">
        <p className="stock-left">{leftText}</p>
        <div
          className="bar"
          role="progressbar"
          aria-label={t('campaign.soldBar')}
          aria-valuemin={0}
          aria-valuemax={stock.quantity}
          aria-valuenow={stock.sold}
          aria-valuetext={t('campaign.soldOf', { sold: f.number(stock.sold), quantity: f.number(stock.quantity) })}
        >
          <div className="bar-fill" style={{ width: `${ratio * 100}%` }} />
        </div>
        <p className="meta">
          {t('campaign.soldOf', { sold: f.number(stock.sold), quantity: f.number(stock.quantity) })} · {f.percent(ratio)}
        </p>
      </div>
      {stale && <p className="hint">{t('campaign.stale')}</p>}
      <dl className="terms-grid">
        {!trial && (
          <div>
            <dt>{t('campaign.priceNow')}</dt>
            <dd>
              {stock.tier ? (
                <>
                  <span className="price">{f.money(stock.tier.unitPrice)}</span>
                  {campaign.priceTiers.length > 1 && (
                    <span className="meta">
                      {' '}
                      {t('campaign.tierLeft', { count: stock.tier.unitsLeft, n: f.number(stock.tier.unitsLeft) })}
                    </span>
                  )}
                </>
              ) : (
                t('campaign.noPrice')
              )}
            </dd>
          </div>
        )}
        {!trial && (
          <div>
            <dt>{t('campaign.limit')}</dt>
            <dd>
              {campaign.perMemberLimit === null
                ? t('campaign.noLimit')
                : t('campaign.perMember', { count: campaign.perMemberLimit, n: f.number(campaign.perMemberLimit) })}
            </dd>
          </div>
        )}
        {!trial && (
          <div>
            <dt>{t('campaign.payWithin')}</dt>
            <dd>
              {t('campaign.minutes', { count: campaign.paymentTimeoutMinutes, n: f.number(campaign.paymentTimeoutMinutes) })}
            </dd>
          </div>
        )}
      </dl>
      {campaign.goal && <GoalProgress campaign={campaign} />}
      {campaign.firstClaim && <FirstClaimNote campaign={campaign} />}
    </div>
  );
}

/** A crowdfunding goal: units or money held by orders against it, reached or not. */
function GoalProgress({ campaign }: { campaign: Campaign }) {
  const { t } = useTranslation();
  const f = useFormat();
  const goal = campaign.goal!;
  const byUnits = goal.units !== null;
  const have = byUnits ? campaign.progress.units : campaign.progress.amount.amount;
  const want = byUnits ? goal.units! : (goal.amount?.amount ?? 0);
  const ratio = want ? Math.min(1, have / want) : 0;
  const text = byUnits
    ? t('campaign.goalUnits', { have: f.number(have), goal: f.number(want) })
    : t('campaign.goalAmount', { have: f.money(campaign.progress.amount), goal: f.money(goal.amount!) });
  return (
    <section className="goal" aria-labelledby="campaign-goal">
      <h3 id="campaign-goal">{t('campaign.goal')}</h3>
      <div
        className="bar bar-goal"
        role="progressbar"
        aria-label={t('campaign.goal')}
        aria-valuemin={0}
        aria-valuemax={want}
        aria-valuenow={Math.min(have, want)}
        aria-valuetext={text}
      >
        <div className="bar-fill" style={{ width: `${ratio * 100}%` }} />
      </div>
      <p className="meta">
        {text} · {f.percent(want ? have / want : 0)}
        {campaign.progress.reached && <span className="badge badge-ok">{t('campaign.goalReached')}</span>}
      </p>
      <p className="hint">{t('campaign.goalHint', { date: f.dateTime(campaign.endsAt) })}</p>
    </section>
  );
}

/** The supporters' first claim: an early window and units held back for members who supported the need with intent. */
function FirstClaimNote({ campaign }: { campaign: Campaign }) {
  const { t } = useTranslation();
  const f = useFormat();
  const fc = campaign.firstClaim!;
  return (
    <section className="first-claim" aria-labelledby="campaign-first-claim">
      <h3 id="campaign-first-claim">{t('campaign.firstClaim')}</h3>
      {fc.minutes > 0 && (
        <p>
          {t('campaign.firstClaimWindow', {
            count: fc.minutes,
            n: f.number(fc.minutes),
            date: f.timeSeconds(fc.publicStartsAt),
          })}
        </p>
      )}
      {fc.reservedUnits > 0 && (
        <p>
          {fc.reservedMinutes === null
            ? t('campaign.firstClaimUnits', { count: fc.reservedUnits, n: f.number(fc.reservedUnits) })
            : t('campaign.firstClaimUnitsFor', {
                count: fc.reservedUnits,
                n: f.number(fc.reservedUnits),
                minutes: f.number(fc.reservedMinutes),
              })}
        </p>
      )}
      <p className="hint">
        <Link to={`/needs/${campaign.needId}`}>{t('campaign.firstClaimHow')}</Link>
      </p>
    </section>
  );
}

/** The price tiers: the first N units at an early price, then the next; the tier in force marked. */
function Tiers({ campaign, stock }: { campaign: Campaign; stock: CampaignStock }) {
  const { t } = useTranslation();
  const f = useFormat();
  let from = 1;
  const rows = campaign.priceTiers.map((tier, i) => {
    const upTo = Math.min(tier.upTo ?? campaign.quantity, campaign.quantity);
    const range =
      campaign.priceTiers.length === 1
        ? t('campaign.tierAll')
        : from === upTo
          ? t('campaign.tierOne', { n: f.number(from) })
          : t('campaign.tierRange', { from: f.number(from), to: f.number(upTo) });
    from = upTo + 1;
    return { i, range, price: f.money(tier.unitPrice), current: stock.tier?.index === i };
  });
  return (
    <section aria-labelledby="campaign-tiers">
      <h2 id="campaign-tiers">{t('campaign.tiers')}</h2>
      <div className="table-wrap">
        <table className="data tiers">
          <thead>
            <tr>
              <th scope="col">{t('campaign.tierUnits')}</th>
              <th scope="col" className="num">
                {t('campaign.tierPrice')}
              </th>
              <th scope="col">
                <span className="sr-only">{t('campaign.tierInForce')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.i} className={r.current ? 'is-current' : undefined}>
                <th scope="row">{r.range}</th>
                <td className="num">{r.price}</td>
                <td>{r.current && <span className="badge badge-ok">{t('campaign.tierInForce')}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
