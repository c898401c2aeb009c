/** Every kind of entry the log writes reads as words in both languages. */
import i18next from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LogEntry } from '../api/types';
import en from '../i18n/en.json';
import { formatters } from '../i18n/format';
import zh from '../i18n/zh-CN.json';
import { describeEntry, ENTRY_KINDS, entryDetails } from './describe';

const entry = (kind: string, data: Record<string, unknown> = {}): LogEntry => ({
  v: 1,
  index: 0,
  kind,
  at: '2026-03-01T08:00:00.000Z',
  actor: 'mem_1',
  credits: [],
  subjects: {},
  data,
});

const i18n = i18next.createInstance();
beforeAll(async () => {
  await i18n.init({
    resources: { 'zh-CN': { translation: zh }, en: { translation: en } },
    lng: 'zh-CN',
    fallbackLng: false,
    interpolation: { escapeValue: false },
  });
});

describe('entry descriptions', () => {
  it('cover every kind the server logs', async () => {
    // Read at run time so that the web app's type check stays out of the server's code.
    const server = '../../../src/contracts/log.ts';
    const { LOG_ENTRY_KINDS: logged } = (await import(/* @vite-ignore */ server)) as { LOG_ENTRY_KINDS: string[] };
    expect([...logged].sort()).toEqual([...ENTRY_KINDS].sort());
  });

  it('have words for every kind in Chinese and English, never the bare key', async () => {
    for (const lng of ['zh-CN', 'en']) {
      const t = i18n.getFixedT(lng);
      const f = formatters(lng);
      for (const kind of ENTRY_KINDS) {
        for (const quantity of [1, 3]) {
          const text = describeEntry(t, f, entry(kind, { quantity, supportersAdded: quantity, rank: 2, lotNumber: 'SG-1' }));
          expect(text, `${lng} ${kind}`).not.toMatch(/log\.kind|\{\{/);
          expect(text.length).toBeGreaterThan(2);
        }
      }
    }
  });

  it('say the rank of a supporter, the lot, its quantity and day, and a purchase intent', () => {
    const t = i18n.getFixedT('zh-CN');
    const f = formatters('zh-CN');
    expect(describeEntry(t, f, entry('need.supported', { rank: 3 }))).toBe('成为第 3 位支持者');
    expect(
      describeEntry(t, f, entry('lot.produced', { lotNumber: 'SG-2026-01', quantity: 1200, producedOn: '2026-02-03' })),
    ).toBe(`生产批次 SG-2026-01：1,200 件，${f.date('2026-02-03T00:00:00')} 生产`);
    expect(describeEntry(t, f, entry('lot.qa-recorded', { lotNumber: 'SG-2026-01', result: 'passed' }))).toBe(
      '批次 SG-2026-01 质检：合格',
    );
    expect(
      entryDetails(
        t,
        f,
        entry('need.supported', { rank: 1, intent: { quantity: 2, maxUnitPrice: { amount: 5000, currency: 'CNY' } } }),
      ),
    ).toEqual([`意向购买 2 件，单价不超过 ${f.money({ amount: 5000, currency: 'CNY' })}`]);
    const en = i18n.getFixedT('en');
    expect(describeEntry(en, formatters('en'), entry('lot.shipped', { lotNumber: 'A', quantity: 1 }))).toBe(
      'shipped 1 unit of lot A',
    );
    expect(describeEntry(t, f, entry('something.new'))).toBe('日志记录（something.new）');
  });
});
