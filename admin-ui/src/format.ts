/** Formatting numbers for people: money in minor units, compact counts, percentages, sizes, times. */

const LOCALE = 'en-US';

/** Digits after the decimal point of a currency's minor unit (USD 2, JPY 0, KWD 3). */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat(LOCALE, { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** An amount in minor units (cents for USD, yen for JPY) with its currency: "$1,234.50", "¥1,200". */
export function formatMoney(minor: number | null | undefined, currency: string | null | undefined): string {
  if (minor == null) return '—';
  const cur = currency || 'USD';
  const digits = minorDigits(cur);
  const value = minor / 10 ** digits;
  try {
    return new Intl.NumberFormat(LOCALE, {
      style: 'currency',
      currency: cur,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(value);
  } catch {
    return `${value.toFixed(digits)} ${cur}`;
  }
}

/** Money a person typed ("12.50", "1,200") → integer minor units, or an error message. */
export function parseMoney(input: string, currency: string): { minor: number } | { error: string } {
  const digits = minorDigits(currency);
  const clean = input.replace(/[\s,]/g, '').replace(/^[^\d.-]+/, '');
  if (clean === '') return { error: 'Enter an amount.' };
  const re = digits === 0 ? /^\d+$/ : new RegExp(`^\\d+(\\.\\d{1,${digits}})?$`);
  if (!re.test(clean)) {
    return {
      error:
        digits === 0
          ? `${currency} amounts have no decimals: enter a whole number.`
          : `Enter an amount like 25 or 25.50 (up to ${digits} decimals).`,
    };
  }
  const [whole, frac = ''] = clean.split('.');
  const minor = Number(whole) * 10 ** digits + Number((frac + '0'.repeat(digits)).slice(0, digits) || 0);
  if (!Number.isSafeInteger(minor)) return { error: 'That amount is too large.' };
  return { minor };
}

/** Minor units → the plain number a person would type back ("12.5" → "12.50"). */
export function minorToInput(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  return (minor / 10 ** digits).toFixed(digits);
}

/** The currency's symbol ("$", "¥", "€"). */
export function currencySymbol(currency: string): string {
  try {
    const part = new Intl.NumberFormat(LOCALE, { style: 'currency', currency, currencyDisplay: 'narrowSymbol' })
      .formatToParts(0)
      .find((p) => p.type === 'currency');
    return part?.value ?? currency;
  } catch {
    return currency;
  }
}

const compactFmt = new Intl.NumberFormat(LOCALE, { notation: 'compact', maximumFractionDigits: 1 });
const intFmt = new Intl.NumberFormat(LOCALE);

/** Counts: 999 → "999", 1234 → "1.2K", 2_500_000 → "2.5M". */
export function formatCount(n: number | null | undefined): string {
  if (n == null) return '—';
  return Math.abs(n) < 10_000 ? intFmt.format(n) : compactFmt.format(n);
}

export function formatInt(n: number): string {
  return intFmt.format(n);
}

/** A fraction as a percentage: 0.0123 → "1.23%". */
export function formatPercent(fraction: number | null | undefined, digits = 2): string {
  if (fraction == null || !Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** Bytes: 1536 → "1.5 KB" (decimal units, as file managers show). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = bytes / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

const dateTimeFmt = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'short' });
const dateFmt = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium' });

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTimeFmt.format(d);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateFmt.format(d);
}

/** "just now", "5 min ago", "3 h ago", else the date. */
export function formatAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const s = Math.round((now - t) / 1000);
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return formatDate(iso);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatInt(n)} ${n === 1 ? one : many}`;
}
