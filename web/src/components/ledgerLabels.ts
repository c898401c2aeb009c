import type { TFunction } from 'i18next';
import type { AccountKind, LinePurpose } from '../api/types';
import { roleLabel } from './roles';

/** The order purposes are shown in: a sale's split first, then the movements around it. */
export const PURPOSE_ORDER: LinePurpose[] = [
  'maker-cost',
  'maker-cost-pending',
  'suspense',
  'platform-fee',
  'referral-commission',
  'cocreator-pool',
  'platform-margin',
  'payment',
  'payout',
  'adjustment',
];

/** What a line is for, with the co-creator role it pays where it pays one ("co-creators' pool · supporter"). */
export function purposeLabel(t: TFunction, purpose: LinePurpose, role?: string | null): string {
  const what = t(`ledger.purpose.${purpose}`);
  return role ? t('ledger.purposeRole', { purpose: what, role: roleLabel(t, role) }) : what;
}

/** An account kind in the UI's language. */
export function accountKindLabel(t: TFunction, kind: AccountKind): string {
  return t(`ledger.account.${kind}`);
}

/** Sorts rows by purpose (in `PURPOSE_ORDER`), then by role. */
export function byPurpose<T extends { purpose: LinePurpose; role: string | null }>(rows: readonly T[]): T[] {
  const rank = (p: LinePurpose) => PURPOSE_ORDER.indexOf(p);
  return [...rows].sort((a, b) => rank(a.purpose) - rank(b.purpose) || (a.role ?? '').localeCompare(b.role ?? ''));
}
