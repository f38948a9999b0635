import { describe, expect, it } from 'vitest';

import { formatMoney, fromCents, sumAmounts, toCents, totalsByCurrency } from './money';

describe('exact money', () => {
  it('reads decimal strings as integer cents', () => {
    expect(toCents('1500.50')).toBe(150050n);
    expect(toCents('1500.5')).toBe(150050n);
    expect(toCents('1500')).toBe(150000n);
    expect(toCents('0.07')).toBe(7n);
    expect(toCents('-12.30')).toBe(-1230n);
    expect(toCents('12345678901234567.89')).toBe(1234567890123456789n);
    expect(toCents('1.234')).toBeNull();
    expect(toCents('abc')).toBeNull();
  });

  it('writes cents back with two places', () => {
    expect(fromCents(150050n)).toBe('1500.50');
    expect(fromCents(7n)).toBe('0.07');
    expect(fromCents(-5n)).toBe('-0.05');
  });

  it('sums exactly where floats would not', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(sumAmounts(['0.10', '0.20'])).toBe('0.30');
    expect(sumAmounts(['1500.50', '99.90', '0.60'])).toBe('1601.00');
    expect(sumAmounts(['9007199254740993.01', '0.01'])).toBe('9007199254740993.02');
    expect(sumAmounts([])).toBe('0.00');
  });

  it('totals per currency, skipping deals without an amount', () => {
    const deals = [
      { amount: '1500.50', currency: 'EUR' },
      { amount: '10', currency: 'USD' },
      { amount: null, currency: null },
      { amount: '0.50', currency: 'EUR' },
    ];
    expect(totalsByCurrency(deals)).toEqual([
      { currency: 'EUR', total: '1501.00' },
      { currency: 'USD', total: '10.00' },
    ]);
  });

  it('formats with the currency, digits exactly as given', () => {
    expect(formatMoney('1500.50', 'EUR')).toBe('€1,500.50');
    expect(formatMoney('1500', 'USD')).toBe('$1,500.00');
    expect(formatMoney('9007199254740993.99', 'EUR')).toBe('€9,007,199,254,740,993.99');
    expect(formatMoney('-0.50', 'EUR')).toBe('-€0.50');
    expect(formatMoney('1500.50', 'EUR', 'de-DE')).toBe('1.500,50\u00a0€');
  });
});
