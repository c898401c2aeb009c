import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Money } from '../api/types';

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat | Intl.RelativeTimeFormat>();
function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat | Intl.RelativeTimeFormat>(key: string, make: () => T): T {
  let f = cache.get(key);
  if (!f) {
    f = make();
    cache.set(key, f);
  }
  return f as T;
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86400],
  ['month', 30 * 86400],
  ['week', 7 * 86400],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
];

/** Dates, numbers and money in the UI's language, through Intl. */
export function formatters(locale: string) {
  const date = (iso: string) =>
    cached(`d:${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium' })).format(new Date(iso));
  const dateTime = (iso: string) =>
    cached(`dt:${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' })).format(
      new Date(iso),
    );
  const time = (epochMs: number) =>
    cached(`t:${locale}`, () => new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' })).format(
      new Date(epochMs),
    );
  const number = (n: number) => cached(`n:${locale}`, () => new Intl.NumberFormat(locale)).format(n);
  const percent = (ratio: number) =>
    cached(`p:${locale}`, () => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 })).format(ratio);
  /** Basis points as a percentage with up to two decimals (1250 → 12.5%). */
  const bps = (n: number) =>
    cached(`b:${locale}`, () => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 })).format(n / 10_000);
  const money = (m: Money) => {
    const f = cached(
      `m:${locale}:${m.currency}`,
      () => new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency }),
    );
    const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
    const value = m.amount / 10 ** digits;
    return Number.isInteger(value)
      ? cached(
          `mi:${locale}:${m.currency}`,
          () => new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency, maximumFractionDigits: 0 }),
        ).format(value)
      : f.format(value);
  };
  /** "3 days ago", "in 2 months": relative to now. */
  const relative = (iso: string, now = Date.now()) => {
    const seconds = (new Date(iso).getTime() - now) / 1000;
    const rtf = cached(`r:${locale}`, () => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }));
    for (const [unit, size] of UNITS) if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
    return rtf.format(0, 'minute');
  };
  /** A duration as a clock, hours:minutes:seconds (days are the caller's words): 3725000 → 01:02:05. */
  const clock = (ms: number) => {
    const total = Math.max(0, Math.floor(ms / 1000));
    const two = cached(`c:${locale}`, () => new Intl.NumberFormat(locale, { minimumIntegerDigits: 2, useGrouping: false }));
    const h = Math.floor((total % 86400) / 3600);
    return `${two.format(h)}:${two.format(Math.floor((total % 3600) / 60))}:${two.format(total % 60)}`;
  };
  /** A time of day with seconds (a flash sale starts at an exact second). */
  const timeSeconds = (iso: string) =>
    cached(`ts:${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' })).format(
      new Date(iso),
    );
  /** The time of day, to the second (a sales chart's axis by second). */
  const clockTime = (iso: string) =>
    cached(
      `ct:${locale}`,
      () => new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' }),
    ).format(new Date(iso));
  return { date, dateTime, time, timeSeconds, clockTime, number, percent, bps, money, relative, clock };
}

/** Formatters for the current language; re-render on a language switch. */
export function useFormat() {
  const { i18n } = useTranslation();
  return useMemo(() => formatters(i18n.language), [i18n.language]);
}

/** Minor units of a currency (2 for CNY). */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}
