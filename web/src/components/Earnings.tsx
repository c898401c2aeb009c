import { lazy, Suspense, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type PartyRef } from '../api';
import { apiUrl } from '../api/client';
import type { Earnings, LinePurpose, LoggedEntry, RoleShare, SaleShare } from '../api/types';
import { useApi, usePaged } from '../app/useApi';
import { useFormat } from '../i18n/format';
import { describeEntry } from '../log/describe';
import { readEntry, type ShownProof, useLoggedEntries, useProofs, useSignedHead } from '../log/useLog';
import { Async, ErrorNotice, Loading } from './Async';
import { SelectField, TextField } from './Form';
import { HeadSummary, ProofBadge, SubjectLinks } from './LogProof';
import { accountKindLabel, byPurpose, PURPOSE_ORDER, purposeLabel } from './ledgerLabels';
import { PagedList } from './PagedList';
import { roleLabel } from './roles';

/** ECharts loads only with the earnings chart, in its own chunk. */
const EarningsChart = lazy(() => import('./EarningsChart'));

type Format = ReturnType<typeof useFormat>;
type ProofOf = (index: number) => ShownProof;

/**
 * A party's earnings, for a member or for an organisation its partners act for: balances, totals by
 * purpose and role, net earnings per day, the sales it had a part in (with how each co-creator part
 * was computed, its contribution entries proven in this browser) and its statement.
 */
export function EarningsView({ party }: { party: PartyRef }) {
  const earnings = useApi(() => api.ledger.earnings(party), [party.kind, party.id]);
  return (
    <>
      <Async state={earnings.state} reload={earnings.reload}>
        {(e) => <Summary earnings={e} />}
      </Async>
      <SaleShares party={party} />
      <StatementSection party={party} />
    </>
  );
}

function Summary({ earnings }: { earnings: Earnings }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <>
      <section aria-labelledby="earnings-balances">
        <h2 id="earnings-balances">{t('earnings.balances')}</h2>
        {earnings.balances.length === 0 ? (
          <p className="empty">{t('earnings.noBalances')}</p>
        ) : (
          earnings.balances.map((b) => {
            const money = (amount: number) => f.money({ amount, currency: b.currency });
            return (
              <dl key={b.currency} className="terms-grid balances" data-currency={b.currency}>
                <div>
                  <dt>{t('earnings.available')}</dt>
                  <dd className="price" data-testid="balance-available" data-amount={b.available}>
                    {money(b.available)}
                  </dd>
                </div>
                <div>
                  <dt>{t('earnings.earnings')}</dt>
                  <dd>{money(b.earnings)}</dd>
                </div>
                <div>
                  <dt>{t('earnings.commissions')}</dt>
                  <dd>{money(b.commissions)}</dd>
                </div>
                <div>
                  <dt>{t('earnings.inPayout')}</dt>
                  <dd data-testid="balance-in-payout">{money(b.inPayout)}</dd>
                </div>
                <div>
                  <dt>{t('earnings.paidOut')}</dt>
                  <dd data-testid="balance-paid-out">{money(b.paidOut)}</dd>
                </div>
              </dl>
            );
          })
        )}
        <p className="hint">{t('earnings.balancesHint')}</p>
      </section>
      <section aria-labelledby="earnings-by-purpose">
        <h2 id="earnings-by-purpose">{t('earnings.byPurpose')}</h2>
        {earnings.byPurpose.length === 0 ? (
          <p className="empty">{t('earnings.noSales')}</p>
        ) : (
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">{t('earnings.purpose')}</th>
                  <th scope="col" className="num">
                    {t('earnings.amount')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {byPurpose(earnings.byPurpose).map((r) => (
                  <tr key={`${r.purpose}:${r.role}:${r.currency}`} data-purpose={r.purpose} data-role={r.role ?? undefined}>
                    <th scope="row">{purposeLabel(t, r.purpose, r.role)}</th>
                    <td className="num">{f.money({ amount: r.amount, currency: r.currency })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <Daily earnings={earnings} />
    </>
  );
}

/** Net earnings per day: a chart of the main currency, and a table of every currency with the same numbers. */
function Daily({ earnings }: { earnings: Earnings }) {
  const { t } = useTranslation();
  const f = useFormat();
  const currency = earnings.balances[0]?.currency ?? earnings.series[0]?.currency;
  const points = useMemo(
    () => earnings.series.filter((p) => p.currency === currency).map((p) => ({ day: p.day, amount: p.amount })),
    [earnings.series, currency],
  );
  const labels = useMemo(
    () => ({ net: t('earnings.net'), cumulative: t('earnings.cumulative'), chart: t('earnings.chartLabel') }),
    [t],
  );
  const totals = new Map<string, number>();
  return (
    <section aria-labelledby="earnings-daily">
      <h2 id="earnings-daily">{t('earnings.daily')}</h2>
      {!currency || earnings.series.length === 0 ? (
        <p className="empty">{t('earnings.noDays')}</p>
      ) : (
        <>
          <Suspense fallback={<Loading />}>
            <EarningsChart points={points} currency={currency} labels={labels} />
          </Suspense>
          <details>
            <summary>{t('earnings.table')}</summary>
            <div className="table-wrap">
              <table className="data" data-testid="earnings-days">
                <thead>
                  <tr>
                    <th scope="col">{t('earnings.day')}</th>
                    <th scope="col" className="num">
                      {t('earnings.net')}
                    </th>
                    <th scope="col" className="num">
                      {t('earnings.cumulative')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {earnings.series.map((p) => {
                    const sum = (totals.get(p.currency) ?? 0) + p.amount;
                    totals.set(p.currency, sum);
                    return (
                      <tr key={`${p.day}:${p.currency}`}>
                        <th scope="row">{f.date(`${p.day}T00:00:00`)}</th>
                        <td className="num">{f.money({ amount: p.amount, currency: p.currency })}</td>
                        <td className="num">{f.money({ amount: sum, currency: p.currency })}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </section>
  );
}

/**
 * The sales the party had a part in, newest first. Each co-creator part says how it was computed:
 * the role's share of the pool, the party's weight of the role's total, and the contribution log
 * entries the weight came from, each fetched from the log and proven here against the signed head.
 */
function SaleShares({ party }: { party: PartyRef }) {
  const { t } = useTranslation();
  const signed = useSignedHead();
  const list = usePaged((cursor) => api.ledger.sales(party, { cursor, limit: 10 }), [party.kind, party.id]);
  const indexes = list.items.flatMap((s) => s.roles.flatMap((r) => r.contributions.flatMap((c) => c.entries)));
  const entries = useLoggedEntries(indexes);
  const provable = [...entries.values()].filter((e): e is LoggedEntry => e !== null);
  const proofOf = useProofs(signed.state.data, provable);
  const weighed = list.items.some((s) => s.roles.length > 0);
  return (
    <section aria-labelledby="earnings-sales">
      <h2 id="earnings-sales">{t('earnings.sales')}</h2>
      <p className="hint">{t('earnings.salesHint')}</p>
      {weighed && (
        <Async state={signed.state} reload={signed.reload}>
          {(s) => <HeadSummary signed={s} />}
        </Async>
      )}
      <PagedList
        list={list}
        className="sale-list"
        empty={t('earnings.noSales')}
        render={(s) => <SaleItem key={s.orderId} sale={s} open={s === list.items[0]} entries={entries} proofOf={proofOf} />}
      />
    </section>
  );
}

function SaleItem({
  sale,
  open,
  entries,
  proofOf,
}: {
  sale: SaleShare;
  open: boolean;
  entries: Map<number, LoggedEntry | null>;
  proofOf: ProofOf;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const currency = sale.paid.currency;
  const money = (amount: number) => f.money({ amount, currency });
  const net = sale.parts.reduce((sum, p) => sum + p.amount - p.reversed, 0);
  return (
    <li className="card sale-share" data-order={sale.orderId}>
      <div className="card-head">
        <strong className="price">{money(net)}</strong>
        <SubjectLinks subjects={{ productId: sale.productId, campaignId: sale.campaignId }} />
        {sale.refunded.amount > 0 && (
          <span className="badge badge-warn">{t('earnings.refunded', { amount: f.money(sale.refunded) })}</span>
        )}
      </div>
      <p className="meta">
        {t('earnings.saleFigures', {
          count: sale.quantity,
          n: f.number(sale.quantity),
          paid: f.money(sale.paid),
          date: f.dateTime(sale.postedAt),
        })}{' '}
        · <code title={sale.orderId}>{sale.orderId}</code>
      </p>
      <div className="table-wrap">
        <table className="data sale-parts">
          <caption className="sr-only">{t('earnings.partsCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('earnings.part')}</th>
              <th scope="col" className="num">
                {t('earnings.allocated')}
              </th>
              <th scope="col" className="num">
                {t('earnings.reversed')}
              </th>
            </tr>
          </thead>
          <tbody>
            {byPurpose(sale.parts).map((p) => (
              <tr key={`${p.purpose}:${p.role}`} data-purpose={p.purpose} data-role={p.role ?? undefined}>
                <th scope="row">{purposeLabel(t, p.purpose, p.role)}</th>
                <td className="num">{money(p.amount)}</td>
                <td className="num">{p.reversed ? money(-p.reversed) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {sale.roles.length > 0 && (
        <details className="share-basis" open={open}>
          <summary>{t('earnings.howComputed')}</summary>
          <p className="hint">{t('earnings.basisHint', { version: sale.agreementVersion, size: f.number(sale.logSize) })}</p>
          {sale.roles.map((r) => (
            <RoleShareView
              key={r.role}
              share={r}
              pool={sale.pool}
              currency={currency}
              part={sale.parts
                .filter((p) => p.purpose === 'cocreator-pool' && p.role === r.role)
                .reduce((sum, p) => sum + p.amount, 0)}
              entries={entries}
              proofOf={proofOf}
            />
          ))}
        </details>
      )}
    </li>
  );
}

function RoleShareView({
  share,
  pool,
  currency,
  part,
  entries,
  proofOf,
}: {
  share: RoleShare;
  pool: number;
  currency: string;
  part: number;
  entries: Map<number, LoggedEntry | null>;
  proofOf: ProofOf;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const money = (amount: number) => f.money({ amount, currency });
  const role = roleLabel(t, share.role);
  return (
    <section className="role-share" data-role={share.role} aria-label={t('earnings.roleShareOf', { role })}>
      <h3>{t('earnings.roleShareOf', { role })}</h3>
      <dl className="terms-grid">
        <div>
          <dt>{t('earnings.pool')}</dt>
          <dd>{money(pool)}</dd>
        </div>
        <div>
          <dt>{t('earnings.roleBps', { role })}</dt>
          <dd data-testid="role-bps">{t('earnings.bpsOfPool', { share: f.bps(share.bps), amount: money(share.amount) })}</dd>
        </div>
        <div>
          <dt>{t('earnings.weight')}</dt>
          <dd data-testid="role-weight">
            {share.equal
              ? t('earnings.equal', { count: share.holders, n: f.number(share.holders) })
              : t('earnings.weightOf', { weight: f.number(share.weight), total: f.number(share.totalWeight) })}
          </dd>
        </div>
        <div>
          <dt>{t('earnings.yourPart')}</dt>
          <dd>{money(part)}</dd>
        </div>
      </dl>
      <p className="hint">
        {t('earnings.holders', { count: share.holders, n: f.number(share.holders) })} {t('earnings.rounding')}
      </p>
      {share.contributions.length > 0 && (
        <ul className="plain-list contribution-weights">
          {share.contributions.map((c) => (
            <li key={c.kind} className="contribution-weight" data-contribution={c.kind}>
              <p className="contribution-weight-head">
                <strong>{t(`ledger.contribution.${c.kind}`)}</strong> · {t('earnings.weightN', { weight: f.number(c.weight) })}
              </p>
              {c.entries.length > 0 && (
                <ul className="list log-list">
                  {c.entries.map((index) => (
                    <EvidenceEntry key={index} index={index} logged={entries.get(index)} proof={proofOf(index)} f={f} />
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** A contribution log entry behind a weight, read from its own bytes, with this browser's proof of it. */
function EvidenceEntry({
  index,
  logged,
  proof,
  f,
}: {
  index: number;
  logged: LoggedEntry | null | undefined;
  proof: ShownProof;
  f: Format;
}) {
  const { t } = useTranslation();
  const entry = logged ? readEntry(logged.leafInput) : null;
  const status: ShownProof =
    logged === undefined ? 'checking' : logged === null ? 'unavailable' : entry && logged.index === index ? proof : 'failed';
  return (
    <li className="card log-step" data-index={index} data-kind={entry?.kind}>
      <div className="card-head">
        <span className="log-what">{entry ? describeEntry(t, f, entry) : t('log.entryNumber', { index })}</span>
        <ProofBadge status={status} index={index} />
      </div>
      <p className="meta">
        {entry && (
          <>
            <time dateTime={entry.at}>{f.dateTime(entry.at)}</time> ·{' '}
          </>
        )}
        <a href={apiUrl('/log/entries', { start: index, end: index })}>{t('log.entryNumber', { index })}</a>
        {entry && <SubjectLinks subjects={entry.subjects} />}
      </p>
    </li>
  );
}

/** A calendar day of a date input as the instant it starts here, `days` later (the end of a period is exclusive). */
function dayStart(day: string, days = 0): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const d = new Date(`${day}T00:00:00`);
  d.setDate(d.getDate() + days);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The party's statement: every line newest first with the account's balance after it, by period and purpose; CSV too. */
function StatementSection({ party }: { party: PartyRef }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [purpose, setPurpose] = useState<LinePurpose | ''>('');
  const backwards = !!from && !!to && to < from;
  const filter = { from: dayStart(from), to: dayStart(to, 1), purpose: purpose || undefined };
  const list = usePaged(
    (cursor) => api.ledger.statement(party, { ...filter, cursor, limit: 20 }),
    [party.kind, party.id, filter.from, filter.to, filter.purpose],
  );
  return (
    <section aria-labelledby="earnings-statement" className="statement">
      <div className="section-head">
        <h2 id="earnings-statement">{t('earnings.statement')}</h2>
        <a className="btn btn-small" href={api.ledger.statementCsvUrl(party, filter)} download data-testid="statement-csv">
          {t('earnings.downloadCsv')}
        </a>
      </div>
      <p className="hint">{t('earnings.statementHint')}</p>
      <fieldset className="inline-fields inline-3 statement-filter">
        <legend className="sr-only">{t('earnings.filter')}</legend>
        <TextField
          type="date"
          label={t('earnings.from')}
          value={from}
          max={to || undefined}
          onChange={(e) => setFrom(e.target.value)}
        />
        <TextField
          type="date"
          label={t('earnings.to')}
          value={to}
          min={from || undefined}
          onChange={(e) => setTo(e.target.value)}
          error={backwards ? t('earnings.backwards') : undefined}
        />
        <SelectField
          label={t('earnings.purpose')}
          value={purpose}
          onChange={(e) => setPurpose(e.target.value as LinePurpose | '')}
        >
          <option value="">{t('earnings.allPurposes')}</option>
          {PURPOSE_ORDER.map((p) => (
            <option key={p} value={p}>
              {t(`ledger.purpose.${p}`)}
            </option>
          ))}
        </SelectField>
      </fieldset>
      {list.status === 'loading' && <Loading />}
      {list.status === 'error' && <ErrorNotice error={list.error} onRetry={list.reload} />}
      {list.status === 'ok' &&
        (list.items.length === 0 ? (
          <p className="empty">{t('earnings.noLines')}</p>
        ) : (
          <>
            <div className="table-wrap">
              <table className="data statement-lines">
                <thead>
                  <tr>
                    <th scope="col">{t('earnings.postedAt')}</th>
                    <th scope="col">{t('earnings.entryKind')}</th>
                    <th scope="col">{t('earnings.purpose')}</th>
                    <th scope="col">{t('earnings.account')}</th>
                    <th scope="col">{t('earnings.order')}</th>
                    <th scope="col" className="num">
                      {t('earnings.amount')}
                    </th>
                    <th scope="col" className="num">
                      {t('earnings.balanceAfter')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.items.map((l) => (
                    <tr key={l.lineId} data-line={l.lineId}>
                      <td>
                        <time dateTime={l.postedAt}>{f.dateTime(l.postedAt)}</time>
                      </td>
                      <td>{t(`ledger.entry.${l.entryKind}`)}</td>
                      <td>{purposeLabel(t, l.purpose, l.role)}</td>
                      <td>{accountKindLabel(t, l.accountKind)}</td>
                      <td>{l.orderId ? <code title={l.orderId}>{`…${l.orderId.slice(-8)}`}</code> : '—'}</td>
                      <td className="num">{f.money({ amount: l.amount, currency: l.currency })}</td>
                      <td className="num">{f.money({ amount: l.balanceAfter, currency: l.currency })}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {list.error && <ErrorNotice error={list.error} onRetry={list.loadMore} />}
            {list.hasMore && (
              <button type="button" className="btn btn-more" onClick={list.loadMore} disabled={list.loadingMore}>
                {list.loadingMore ? t('common.loading') : t('common.loadMore')}
              </button>
            )}
          </>
        ))}
    </section>
  );
}
