import type { TFunction } from 'i18next';
import type { LogEntry, Money } from '../api/types';
import type { formatters } from '../i18n/format';

type Format = ReturnType<typeof formatters>;

/** Every entry kind the log writes (docs/contribution-log.md): each has words in both locales. */
export const ENTRY_KINDS = [
  'scene.described',
  'need.raised',
  'need.supported',
  'need.unsupported',
  'need.intent-given',
  'need.intent-withdrawn',
  'need.merged',
  'solution.proposed',
  'need.solution-chosen',
  'poll.ballot-cast',
  'poll.ballot-withdrawn',
  'poll.decided',
  'comment.posted',
  'bid.submitted',
  'bid.awarded',
  'agreement.accepted',
  'order.paid',
  'order.fulfilled',
  'order.fulfilment-corrected',
  'trial.feedback-given',
  'lot.produced',
  'lot.qa-recorded',
  'lot.shipped',
  'lot.delivered',
] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

/** Kinds whose words count something (`{{n}}` units, supporters): they have plural forms. */
const COUNTED: Partial<Record<EntryKind, string>> = {
  'need.merged': 'supportersAdded',
  'bid.awarded': 'quantity',
  'order.paid': 'quantity',
  'order.fulfilled': 'quantity',
  'order.fulfilment-corrected': 'quantity',
  'lot.produced': 'quantity',
  'lot.shipped': 'quantity',
  'lot.delivered': 'quantity',
};

const isKind = (kind: string): kind is EntryKind => (ENTRY_KINDS as readonly string[]).includes(kind);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const money = (v: unknown): Money | undefined => {
  const m = v as Partial<Money> | null;
  return m && typeof m === 'object' && typeof m.amount === 'number' && typeof m.currency === 'string'
    ? { amount: m.amount, currency: m.currency }
    : undefined;
};
/** A calendar day (YYYY-MM-DD) as the locale writes it, on that day wherever the reader is. */
const day = (f: Format, v: unknown) =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? f.date(`${v}T00:00:00`) : text(v);

/** What happened, in a few words of the UI's language (no actor: the caller names who). */
export function describeEntry(t: TFunction, f: Format, entry: LogEntry): string {
  const { kind, data } = entry;
  if (!isKind(kind)) return t('log.kind.unknown', { kind });
  const counted = COUNTED[kind];
  const n = counted ? (num(data[counted]) ?? 0) : undefined;
  const qa = text(data.result);
  return t(`log.kind.${kind}`, {
    ...(n === undefined ? {} : { count: n, n: f.number(n) }),
    rank: f.number(num(data.rank) ?? 0),
    text: text(data.text),
    version: text(data.version),
    lot: text(data.lotNumber ?? data.lot),
    date: day(f, data.producedOn),
    rating: text(data.rating),
    result: ['passed', 'failed', 'pending'].includes(qa) ? t(`log.qa.${qa}`) : qa,
  });
}

/** The details worth a second line: a purchase intent, a unit cost, an order's total. */
export function entryDetails(t: TFunction, f: Format, entry: LogEntry): string[] {
  const { data } = entry;
  const out: string[] = [];
  const intent = data.intent as { quantity?: unknown; maxUnitPrice?: unknown } | undefined;
  if (intent && typeof intent === 'object') {
    const q = num(intent.quantity) ?? 0;
    const price = money(intent.maxUnitPrice);
    out.push(
      price
        ? t('log.detail.intent', { count: q, n: f.number(q), price: f.money(price) })
        : t('log.detail.intentQuantity', { count: q, n: f.number(q) }),
    );
  }
  const unitCost = money(data.unitCost);
  if (unitCost) out.push(t('log.detail.unitCost', { price: f.money(unitCost) }));
  const total = money(data.total);
  if (total) out.push(t('log.detail.total', { price: f.money(total) }));
  if (typeof data.wouldBuy === 'boolean') out.push(t(data.wouldBuy ? 'log.detail.wouldBuy' : 'log.detail.wouldNotBuy'));
  return out;
}
