/**
 * The arithmetic and the clock rules of a campaign, without I/O: price tiers, the units an order
 * takes from each tier, the state as of now, the supporters' first claim. Pure, so that the
 * service and the property tests share one definition.
 */
import { createHash } from 'node:crypto';
import type { FieldProblem } from '../../platform/errors.js';
import type { CampaignsTable } from './campaigns.tables.js';

export type CampaignMode = 'presale' | 'crowdfunding' | 'flash' | 'trial';
export type CampaignState = 'draft' | 'scheduled' | 'live' | 'sold_out' | 'ended' | 'settled';

/** A price tier as stored: the cumulative unit count it prices up to (null: the rest), the unit price. */
export interface StoredTier {
  upTo: number | null;
  unitPrice: number;
}

/** Units of one tier in an order. */
export interface StoredLine {
  tier: number;
  unitPrice: number;
  quantity: number;
}

/** Units each tier can hold: its share of the quantity. */
export function tierCapacities(tiers: readonly StoredTier[], quantity: number): number[] {
  let below = 0;
  return tiers.map((t) => {
    const top = Math.min(t.upTo ?? quantity, quantity);
    const cap = Math.max(0, top - below);
    below = Math.max(below, top);
    return cap;
  });
}

/**
 * Takes `want` units from the tiers with room, lowest tier first: the first N units sell at the
 * early price, and a unit returned to an early tier sells at that price again. Null when fewer
 * than `want` units are left.
 */
export function allocate(
  tiers: readonly StoredTier[],
  tierSold: readonly number[],
  quantity: number,
  want: number,
): { lines: StoredLine[]; total: number; tierSold: number[] } | null {
  const caps = tierCapacities(tiers, quantity);
  const next = tiers.map((_, i) => tierSold[i] ?? 0);
  const lines: StoredLine[] = [];
  let left = want;
  let total = 0;
  for (let i = 0; i < tiers.length && left > 0; i++) {
    const take = Math.min(left, caps[i]! - next[i]!);
    if (take <= 0) continue;
    next[i]! += take;
    left -= take;
    total += take * tiers[i]!.unitPrice;
    lines.push({ tier: i, unitPrice: tiers[i]!.unitPrice, quantity: take });
  }
  return left > 0 ? null : { lines, total, tierSold: next };
}

/** Gives an order's units back to their tiers. */
export function release(tierSold: readonly number[], lines: readonly StoredLine[]): number[] {
  const next = [...tierSold];
  for (const l of lines) next[l.tier] = Math.max(0, (next[l.tier] ?? 0) - l.quantity);
  return next;
}

/** The tier the next unit sells at, with the units left at its price; null when nothing is left. */
export function tierInForce(
  tiers: readonly StoredTier[],
  tierSold: readonly number[],
  quantity: number,
): { index: number; unitPrice: number; unitsLeft: number } | null {
  const caps = tierCapacities(tiers, quantity);
  for (let i = 0; i < tiers.length; i++) {
    const left = caps[i]! - (tierSold[i] ?? 0);
    if (left > 0) return { index: i, unitPrice: tiers[i]!.unitPrice, unitsLeft: left };
  }
  return null;
}

/** Field problems of a campaign's tiers (one currency, upTo increasing, every unit priced, a trial free). */
export function checkTiers(
  tiers: readonly { upTo: number | null; unitPrice: { amount: number; currency: string } }[],
  quantity: number,
  mode: CampaignMode,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  let below = 0;
  for (const [i, t] of tiers.entries()) {
    const last = i === tiers.length - 1;
    if (t.unitPrice.currency !== tiers[0]!.unitPrice.currency) {
      problems.push({ path: `priceTiers.${i}.unitPrice.currency`, message: 'every tier is in the currency of the first' });
    }
    if (mode === 'trial' ? t.unitPrice.amount !== 0 : t.unitPrice.amount <= 0) {
      problems.push({
        path: `priceTiers.${i}.unitPrice.amount`,
        message: mode === 'trial' ? 'a trial is free: the price is 0' : 'must be more than 0',
      });
    }
    if (t.upTo === null) {
      if (!last) problems.push({ path: `priceTiers.${i}.upTo`, message: 'only the last tier may be open-ended (null)' });
      continue;
    }
    if (t.upTo <= below) problems.push({ path: `priceTiers.${i}.upTo`, message: `must be more than ${below}` });
    else if (!last && t.upTo >= quantity) {
      problems.push({
        path: `priceTiers.${i}.upTo`,
        message: `reaches the quantity (${quantity}): later tiers would never sell`,
      });
    } else if (last && t.upTo < quantity) {
      problems.push({ path: `priceTiers.${i}.upTo`, message: `the last tier must reach the quantity (${quantity}) or be null` });
    }
    below = Math.max(below, t.upTo);
  }
  return problems;
}

type Clocked = Pick<CampaignsTable, 'state' | 'starts_at' | 'ends_at' | 'sold' | 'quantity'>;

/** The state as of `nowIso`: a scheduled campaign is live from its start, a live one ended from its end. */
export function effectiveState(row: Clocked, nowIso: string): CampaignState {
  let state = row.state as CampaignState;
  if (state === 'scheduled' && row.starts_at <= nowIso) state = row.sold >= row.quantity ? 'sold_out' : 'live';
  if ((state === 'live' || state === 'sold_out') && row.ends_at <= nowIso) state = 'ended';
  return state;
}

/** The stored state after the stock changed (sold out, or back in stock), for a campaign that takes orders. */
export function stockState(row: Clocked, sold: number): string {
  if (row.state === 'live' && sold >= row.quantity) return 'sold_out';
  if (row.state === 'sold_out' && sold < row.quantity) return 'live';
  return row.state;
}

const addMinutes = (iso: string, minutes: number) => new Date(new Date(iso).getTime() + minutes * 60_000).toISOString();

type FirstClaimed = Pick<
  CampaignsTable,
  'starts_at' | 'ends_at' | 'first_claim_minutes' | 'first_claim_units' | 'first_claim_units_minutes' | 'first_claim_sold'
>;

/** When everyone may order: the start, or the end of the supporters' window. */
export function publicStartsAt(row: FirstClaimed): string {
  return row.first_claim_minutes > 0 ? addMinutes(row.starts_at, row.first_claim_minutes) : row.starts_at;
}

/** Whether the supporters' window (only they may order) is open at `nowIso`. */
export function supportersOnly(row: FirstClaimed, nowIso: string): boolean {
  return row.first_claim_minutes > 0 && nowIso < publicStartsAt(row);
}

/** Units still held back for supporters at `nowIso` (the reserved share not yet taken by them). */
export function heldForSupporters(row: FirstClaimed, nowIso: string): number {
  if (row.first_claim_units === 0) return 0;
  if (row.first_claim_units_minutes !== null && nowIso >= addMinutes(row.starts_at, row.first_claim_units_minutes)) return 0;
  return Math.max(0, row.first_claim_units - row.first_claim_sold);
}

/** Whether supporters with purchase intent get anything others do not at `nowIso`. */
export function firstClaimActive(row: FirstClaimed, nowIso: string): boolean {
  return supportersOnly(row, nowIso) || heldForSupporters(row, nowIso) > 0;
}

/** How the trial draw picks its winners, published with every draw so anyone can redo it. */
export const DRAW_METHOD =
  'ticket = hex(SHA-256(UTF-8(seed + ":" + applicationId))) for every application still applying; ' +
  'the winners are the `count` applications with the smallest tickets (ties cannot occur).';

/** The seeded draw: reproducible from the seed and the applications' ids alone. */
export function draw<T extends { id: string }>(seed: string, applications: readonly T[], count: number) {
  return applications
    .map((a) => ({ application: a, ticket: createHash('sha256').update(`${seed}:${a.id}`, 'utf8').digest('hex') }))
    .sort((x, y) => (x.ticket < y.ticket ? -1 : x.ticket > y.ticket ? 1 : 0))
    .slice(0, count);
}
