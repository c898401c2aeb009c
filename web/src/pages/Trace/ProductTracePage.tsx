import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api } from '../../api';
import type { LogEntry, ProductTrace, TraceStep } from '../../api/types';
import { type Resource, useApi } from '../../app/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { Async } from '../../components/Async';
import { HeadSummary, ProofBadge, SubjectLinks } from '../../components/LogProof';
import { useFormat } from '../../i18n/format';
import { describeEntry, entryDetails } from '../../log/describe';
import { readEntry, type ShownProof, type SignedHead, useProofs, useSignedHead } from '../../log/useLog';

/** A step with its entry read from its own leaf input (null when those bytes are no entry). */
interface Step {
  step: TraceStep;
  entry: LogEntry | null;
}
type ProofOf = (index: number) => ShownProof;

/**
 * A product's trace: who co-created it (the need, its first supporters, the solutions and polls),
 * who made it (awarded makers, lots and their QA) and how it was delivered, each step a log entry
 * that this browser proves against the signed tree head.
 */
export default function ProductTracePage() {
  const { id = '' } = useParams();
  const trace = useApi(() => api.products.trace(id), [id]);
  const signed = useSignedHead();
  return (
    <Async state={trace.state} reload={trace.reload}>
      {(tr) => <TraceView trace={tr} head={signed} />}
    </Async>
  );
}

function TraceView({ trace, head }: { trace: ProductTrace; head: Resource<SignedHead> }) {
  const { t } = useTranslation();
  const signed = head.state.data;
  const f = useFormat();
  usePageTitle(t('trace.pageTitle', { name: trace.product.name }));
  const all = [...trace.cocreated, ...trace.made, ...trace.delivered];
  const proofOf = useProofs(signed, all);
  const read = (steps: TraceStep[]): Step[] => steps.map((step) => ({ step, entry: readEntry(step.leafInput) }));
  const cocreated = read(trace.cocreated);
  const made = read(trace.made);
  const delivered = read(trace.delivered);
  const verified = all.filter((s) => proofOf(s.index) === 'verified').length;
  const failed = all.filter((s) => proofOf(s.index) === 'failed').length;
  const { orders, units } = trace.fulfilled;

  return (
    <article className="trace">
      <header className="page-head">
        <p className="eyebrow">{t('trace.eyebrow')}</p>
        <h1>{trace.product.name}</h1>
        <p className="meta">
          <Link to={`/products/${trace.product.id}`}>{t('trace.backToProduct')}</Link> ·{' '}
          <Link to={`/needs/${trace.product.needId}`}>{t('trace.need')}</Link>
        </p>
        <p className="lede">{t('trace.lede')}</p>
        {signed && all.length > 0 && (
          <p className={failed ? 'notice notice-error' : 'notice notice-info'} role="status" data-testid="trace-tally">
            {failed
              ? t('trace.tallyFailed', { count: failed, n: f.number(failed), total: f.number(all.length) })
              : t('trace.tally', { count: all.length, verified: f.number(verified), n: f.number(all.length) })}
          </p>
        )}
      </header>
      <Async state={head.state} reload={head.reload}>
        {(s) => <HeadSummary signed={s} />}
      </Async>

      <TraceSection id="trace-cocreated" title={t('trace.cocreated')} empty={cocreated.length === 0}>
        <KindGroup
          title={t('trace.group.need')}
          steps={pick(cocreated, ['scene.described', 'need.raised', 'need.merged'])}
          proofOf={proofOf}
        />
        <KindGroup
          title={t('trace.group.supporters')}
          steps={pick(cocreated, ['need.supported']).sort((a, b) => rank(a) - rank(b))}
          proofOf={proofOf}
        />
        <KindGroup
          title={t('trace.group.solutions')}
          steps={pick(cocreated, ['solution.proposed', 'need.solution-chosen'])}
          proofOf={proofOf}
        />
        <KindGroup title={t('trace.group.polls')} steps={pick(cocreated, ['poll.decided'])} proofOf={proofOf} />
        <KindGroup title={t('trace.group.other')} steps={rest(cocreated, COCREATED_KINDS)} proofOf={proofOf} />
      </TraceSection>

      <TraceSection id="trace-made" title={t('trace.made')} empty={made.length === 0}>
        <KindGroup title={t('trace.group.makers')} steps={pick(made, ['bid.awarded', 'agreement.accepted'])} proofOf={proofOf} />
        <Grouped
          title={t('trace.group.lots')}
          steps={pick(made, ['lot.produced', 'lot.qa-recorded'])}
          by="lotId"
          heading={(group) => lotHeading(t, group)}
          proofOf={proofOf}
        />
        <KindGroup title={t('trace.group.other')} steps={rest(made, MADE_KINDS)} proofOf={proofOf} />
      </TraceSection>

      <TraceSection id="trace-delivered" title={t('trace.delivered')} empty={delivered.length === 0}>
        <Grouped
          title={t('trace.group.shipments')}
          steps={pick(delivered, ['lot.shipped', 'lot.delivered'])}
          by="shipmentId"
          heading={(group) => shipmentHeading(t, f, group)}
          proofOf={proofOf}
        />
        <KindGroup title={t('trace.group.other')} steps={rest(delivered, DELIVERED_KINDS)} proofOf={proofOf} />
      </TraceSection>

      <section aria-labelledby="trace-fulfilled">
        <h2 id="trace-fulfilled">{t('trace.fulfilled')}</h2>
        <dl className="log-facts" data-testid="trace-fulfilled">
          <div>
            <dt>{t('trace.fulfilledOrders')}</dt>
            <dd>{f.number(orders)}</dd>
          </div>
          <div>
            <dt>{t('trace.fulfilledUnits')}</dt>
            <dd>{f.number(units)}</dd>
          </div>
        </dl>
        <p className="hint">{t('trace.fulfilledHint')}</p>
      </section>
    </article>
  );
}

const COCREATED_KINDS = [
  'scene.described',
  'need.raised',
  'need.merged',
  'need.supported',
  'solution.proposed',
  'need.solution-chosen',
  'poll.decided',
];
/** Kinds a maker is named for (the member acting is its partner, or the operator awarding). */
const BY_ORGANISATION = ['bid.', 'lot.', 'order.fulfilled'];
/** Kinds an operator performs on behalf of everyone: no one person is named. */
const NOBODY = ['need.solution-chosen'];
const MADE_KINDS = ['bid.awarded', 'agreement.accepted', 'lot.produced', 'lot.qa-recorded'];
const DELIVERED_KINDS = ['lot.shipped', 'lot.delivered'];

const pick = (steps: Step[], kinds: string[]) => steps.filter((s) => s.entry && kinds.includes(s.entry.kind));
const rest = (steps: Step[], kinds: string[]) => steps.filter((s) => !s.entry || !kinds.includes(s.entry.kind));
const rank = (s: Step) => (typeof s.entry?.data.rank === 'number' ? s.entry.data.rank : Number.MAX_SAFE_INTEGER);

function TraceSection({ id, title, empty, children }: { id: string; title: string; empty: boolean; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby={id} className="trace-section">
      <h2 id={id}>{title}</h2>
      {empty ? <p className="empty">{t('trace.noSteps')}</p> : children}
    </section>
  );
}

function KindGroup({ title, steps, proofOf }: { title: string; steps: Step[]; proofOf: ProofOf }) {
  if (steps.length === 0) return null;
  return (
    <div className="trace-group">
      <h3>{title}</h3>
      <ol className="list log-list">
        {steps.map((s) => (
          <StepItem key={s.step.index} step={s} proof={proofOf(s.step.index)} />
        ))}
      </ol>
    </div>
  );
}

/** Steps about one lot (or one shipment) together, under a heading that says which. */
function Grouped({
  title,
  steps,
  by,
  heading,
  proofOf,
}: {
  title: string;
  steps: Step[];
  by: string;
  heading: (group: Step[]) => string;
  proofOf: ProofOf;
}) {
  if (steps.length === 0) return null;
  const groups = new Map<string, Step[]>();
  for (const s of steps) {
    const key = s.entry?.subjects[by] ?? `#${s.step.index}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return (
    <div className="trace-group">
      <h3>{title}</h3>
      {[...groups].map(([key, group]) => (
        <div key={key} className="trace-cluster" data-group={key}>
          <h4>{heading(group)}</h4>
          <ol className="list log-list">
            {group.map((s) => (
              <StepItem key={s.step.index} step={s} proof={proofOf(s.step.index)} />
            ))}
          </ol>
        </div>
      ))}
    </div>
  );
}

type T = ReturnType<typeof useTranslation>['t'];

function lotHeading(t: T, group: Step[]): string {
  const first = group.find((s) => s.entry?.kind === 'lot.produced') ?? group[0]!;
  const lot = String(first.entry?.data.lotNumber ?? '');
  const maker = first.step.organisation?.name;
  return maker ? t('trace.lotBy', { lot, maker }) : t('trace.lot', { lot });
}

function shipmentHeading(t: T, f: ReturnType<typeof useFormat>, group: Step[]): string {
  const shipped = group.find((s) => s.entry?.kind === 'lot.shipped') ?? group[0]!;
  const data = shipped.entry?.data ?? {};
  const quantity = typeof data.quantity === 'number' ? data.quantity : 0;
  return t('trace.shipment', {
    lot: String(data.lotNumber ?? ''),
    count: quantity,
    n: f.number(quantity),
  });
}

/** One step: who, what, when, and whether this browser could prove it. */
function StepItem({ step: { step, entry }, proof }: { step: Step; proof: ShownProof }) {
  const { t } = useTranslation();
  const f = useFormat();
  if (!entry) {
    return (
      <li className="card log-step" data-index={step.index}>
        <div className="card-head">
          <span className="log-what">{t('log.unreadable')}</span>
          <ProofBadge status="failed" index={step.index} />
        </div>
      </li>
    );
  }
  // Names travel beside the entry, unsigned: shown only when they name whom the signed entry does.
  const actor = step.actor && step.actor.id === entry.actor ? step.actor.displayName : null;
  const organisation =
    step.organisation && Object.values(entry.subjects).includes(step.organisation.id) ? step.organisation.name : null;
  // Makers act through their partners, operators award and choose: the maker, or nobody, is whom a step is about.
  const who = BY_ORGANISATION.some((k) => entry.kind.startsWith(k))
    ? organisation
    : NOBODY.includes(entry.kind)
      ? null
      : (actor ?? organisation);
  const details = entryDetails(t, f, entry);
  return (
    <li className="card log-step" data-index={step.index} data-kind={entry.kind}>
      <div className="card-head">
        {who && <strong className="log-who">{who}</strong>}
        <span className="log-what">{describeEntry(t, f, entry)}</span>
        <ProofBadge status={proof} index={step.index} />
      </div>
      {details.length > 0 && <p className="log-details">{details.join(t('common.listSeparator'))}</p>}
      <p className="meta">
        <time dateTime={entry.at}>{f.dateTime(entry.at)}</time> · {t('log.entryNumber', { index: step.index })}
        <SubjectLinks subjects={entry.subjects} skip={['productId', 'needId', 'chainGroupId']} />
      </p>
    </li>
  );
}
