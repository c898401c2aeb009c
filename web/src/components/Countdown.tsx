import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { serverNow } from '../api/serverClock';
import { useFormat } from '../i18n/format';

/** The server's time (epoch ms), re-rendering every `ms` while `on`. */
export function useServerNow(on = true, ms = 1000): number {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    if (!on) return;
    setNow(serverNow());
    const timer = setInterval(() => setNow(serverNow()), ms);
    return () => clearInterval(timer);
  }, [on, ms]);
  return now;
}

/** "2 days 03:04:05" or "03:04:05" until `to`, on the server's clock. */
export function useCountdownText(to: string, now: number): string {
  const { t } = useTranslation();
  const f = useFormat();
  const left = Math.max(0, new Date(to).getTime() - now);
  const days = Math.floor(left / 86_400_000);
  const clock = f.clock(left);
  return days > 0 ? t('countdown.days', { count: days, n: f.number(days), clock }) : clock;
}

/**
 * Time left until `to` on the server's clock, ticking every second, with `label` before it
 * ("starts in", "reservation held for"). A timer: screen readers read it when asked, not every tick.
 */
export function Countdown({ to, label, className }: { to: string; label: string; className?: string }) {
  const f = useFormat();
  const now = useServerNow();
  const text = useCountdownText(to, now);
  return (
    <p className={`countdown ${className ?? ''}`}>
      <span className="countdown-label">{label}</span>{' '}
      <time role="timer" dateTime={to} title={f.timeSeconds(to)} className="countdown-clock">
        {text}
      </time>
    </p>
  );
}
