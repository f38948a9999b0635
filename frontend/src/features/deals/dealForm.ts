// What the deal forms (create on the board, edit on the deal's page) share.
import { optional } from '../../components/EntityForm';
import type { FieldSpec } from '../../components/EntityForm';

/** A deal's name, amount and currency, the fields every deal form starts with. */
export const DEAL_FIELDS = [
  { name: 'name', label: 'Name', required: true },
  { name: 'amount', label: 'Amount' },
  { name: 'currency', label: 'Currency' },
] as const satisfies FieldSpec<{ name: string; amount?: string | null; currency?: string | null }>[];

/** The name, amount and currency of a deal form's body: no amount, no currency (upper-cased ISO code otherwise). */
export function dealBasics(v: { name?: string; amount?: string; currency?: string }): { name: string; amount: string | null; currency: string | null } {
  const amount = optional(v.amount?.trim());
  return { name: v.name ?? '', amount, currency: amount === null ? null : optional(v.currency?.trim().toUpperCase()) };
}
