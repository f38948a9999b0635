// Money of deals, exactly: the API sends amounts as decimal strings ("1500.50")
// and they are never parsed into floats. Sums are integer cents (BigInt);
// formatting puts the exact digits into Intl.NumberFormat's parts.

/** The app speaks English: amounts read like "€1,500.50". */
export const LOCALE = 'en-US';

const DECIMAL = /^([+-])?(\d+)(?:\.(\d{1,2}))?$/;

/** A decimal string with at most two places as integer cents, or null when it is not one. */
export function toCents(amount: string): bigint | null {
  const m = DECIMAL.exec(amount.trim());
  if (!m) return null;
  const cents = BigInt(m[2]) * 100n + BigInt((m[3] ?? '').padEnd(2, '0'));
  return m[1] === '-' ? -cents : cents;
}

/** Integer cents as a decimal string with two places: 150050n → "1500.50". */
export function fromCents(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  return `${negative ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** The exact sum of decimal strings (amounts that are not decimals are skipped). */
export function sumAmounts(amounts: readonly string[]): string {
  return fromCents(amounts.reduce((sum, a) => sum + (toCents(a) ?? 0n), 0n));
}

/**
 * An amount with its currency ("€1,500.50"), exactly: the integer part goes
 * through Intl as a BigInt, the two decimals are put in as written. An amount
 * that is not a decimal, or a currency Intl does not know, is shown as is.
 */
export function formatMoney(amount: string, currency: string, locale: string = LOCALE): string {
  const cents = toCents(amount);
  if (cents === null) return `${amount} ${currency}`;
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const fraction = (abs % 100n).toString().padStart(2, '0');
  let parts: Intl.NumberFormatPart[];
  try {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 });
    parts = format.formatToParts(abs / 100n);
  } catch {
    return `${fromCents(cents)} ${currency}`;
  }
  const text = parts.map((p) => (p.type === 'fraction' ? fraction : p.value)).join('');
  return negative ? `-${text}` : text;
}

/** Amounts of deals summed per currency, in the order the currencies first appear. */
export function totalsByCurrency(deals: readonly { amount?: string | null; currency?: string | null }[]): { currency: string; total: string }[] {
  const sums = new Map<string, bigint>();
  for (const d of deals) {
    if (d.amount == null || !d.currency) continue;
    sums.set(d.currency, (sums.get(d.currency) ?? 0n) + (toCents(d.amount) ?? 0n));
  }
  return [...sums].map(([currency, cents]) => ({ currency, total: fromCents(cents) }));
}
