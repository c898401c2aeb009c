import type { TFunction } from 'i18next';

const KNOWN_ROLES = new Set(['lead', 'creator', 'supporter', 'designer', 'marketer', 'maker', 'retailer', 'service']);

/** A participant role in the UI's language; free-text roles as written. */
export function roleLabel(t: TFunction, role: string): string {
  return KNOWN_ROLES.has(role) ? t(`chainGroup.roles.${role}`) : role;
}
