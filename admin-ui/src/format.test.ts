import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatMoney, formatPercent, minorDigits, minorToInput, parseMoney } from './format';

describe('money in minor units', () => {
  it('formats USD cents with two decimals', () => {
    expect(formatMoney(123450, 'USD')).toBe('$1,234.50');
    expect(formatMoney(5, 'USD')).toBe('$0.05');
    expect(formatMoney(0, 'USD')).toBe('$0.00');
  });
  it('formats JPY without decimals: the minor unit is the yen', () => {
    expect(minorDigits('JPY')).toBe(0);
    expect(formatMoney(1200, 'JPY')).toBe('¥1,200');
  });
  it('formats EUR and a three-decimal currency', () => {
    expect(formatMoney(999, 'EUR')).toBe('€9.99');
    expect(minorDigits('KWD')).toBe(3);
    expect(formatMoney(1500, 'KWD')).toMatch(/1\.500/);
  });
  it('shows a dash for a missing amount', () => {
    expect(formatMoney(null, 'USD')).toBe('—');
  });
  it('parses typed amounts into minor units', () => {
    expect(parseMoney('25', 'USD')).toEqual({ minor: 2500 });
    expect(parseMoney('25.5', 'USD')).toEqual({ minor: 2550 });
    expect(parseMoney('$1,250.05', 'USD')).toEqual({ minor: 125005 });
    expect(parseMoney('1500', 'JPY')).toEqual({ minor: 1500 });
  });
  it('rejects amounts the currency cannot hold', () => {
    expect(parseMoney('15.5', 'JPY')).toHaveProperty('error');
    expect(parseMoney('1.234', 'USD')).toHaveProperty('error');
    expect(parseMoney('', 'USD')).toHaveProperty('error');
    expect(parseMoney('abc', 'USD')).toHaveProperty('error');
    expect(parseMoney('-5', 'USD')).toHaveProperty('error');
  });
  it('round-trips minor units to an input value', () => {
    expect(minorToInput(2550, 'USD')).toBe('25.50');
    expect(minorToInput(1500, 'JPY')).toBe('1500');
  });
});

describe('counts and ratios', () => {
  it('keeps small counts exact and compacts large ones', () => {
    expect(formatCount(999)).toBe('999');
    expect(formatCount(9999)).toBe('9,999');
    expect(formatCount(12_345)).toBe('12.3K');
    expect(formatCount(2_500_000)).toBe('2.5M');
  });
  it('shows fractions as percentages', () => {
    expect(formatPercent(0.0123)).toBe('1.23%');
    expect(formatPercent(NaN)).toBe('—');
  });
  it('shows byte sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(2_400_000)).toBe('2.4 MB');
  });
});
