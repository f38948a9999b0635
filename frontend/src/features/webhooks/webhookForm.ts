// The endpoint form: the event types to pick from, and the checks made
// before the API is asked (which checks again, and refuses private
// addresses: its 422 is shown on the field).
import type { EventType, Webhook, WebhookCreate, WebhookUpdate } from './api/webhooks';

/** Every event type an endpoint can subscribe to, by record (docs/webhooks.md). */
export const EVENT_TYPES = [
  'company.created',
  'company.updated',
  'company.deleted',
  'contact.created',
  'contact.updated',
  'contact.deleted',
  'deal.created',
  'deal.updated',
  'deal.deleted',
  'deal.stage_changed',
] as const satisfies readonly EventType[];

/** The event types grouped for a MultiSelect: Companies, Contacts, Deals. */
export const EVENT_GROUPS = (['company', 'contact', 'deal'] as const).map((record) => ({
  group: { company: 'Companies', contact: 'Contacts', deal: 'Deals' }[record],
  items: EVENT_TYPES.filter((t) => t.startsWith(`${record}.`)).map((t) => ({ value: t, label: t })),
}));

export const WEBHOOK_FIELDS = ['url', 'events', 'description', 'enabled'] as const satisfies readonly (keyof WebhookCreate)[];
export type WebhookField = (typeof WEBHOOK_FIELDS)[number];

export type WebhookValues = { url: string; events: string[]; description: string; enabled: boolean };

export const EMPTY_WEBHOOK: WebhookValues = { url: 'https://', events: [], description: '', enabled: true };

export function valuesOf(hook: Webhook): WebhookValues {
  return { url: hook.url, events: [...hook.events], description: hook.description ?? '', enabled: hook.enabled };
}

const isEventType = (value: string): value is EventType => (EVENT_TYPES as readonly string[]).includes(value);

/** What is wrong with the form, field by field (empty: it may be sent). */
export function validateWebhook(values: WebhookValues): Partial<Record<WebhookField, string>> {
  const errors: Partial<Record<WebhookField, string>> = {};
  const url = values.url.trim();
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    parsed = null;
  }
  if (!url || url === 'https://' || url === 'http://') errors.url = 'is required';
  else if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || !parsed.hostname) errors.url = 'must be an http or https URL';
  else if (parsed.username || parsed.password) errors.url = 'must not contain credentials';
  else if (url.length < 10) errors.url = 'must be at least 10 characters';
  else if (url.length > 2000) errors.url = 'must be at most 2000 characters';
  if (values.events.length === 0) errors.events = 'pick at least one event';
  else if (!values.events.every(isEventType)) errors.events = 'unknown event type';
  if (values.description.length > 2000) errors.description = 'must be at most 2000 characters';
  return errors;
}

/** The body of a create or an edit (an empty description is none). */
export function webhookBody(values: WebhookValues): WebhookCreate {
  return {
    url: values.url.trim(),
    events: values.events.filter(isEventType),
    description: values.description.trim() || null,
    enabled: values.enabled,
  };
}

/** The body of an edit: only what changed (enabling a disabled endpoint again resets its failure count). */
export function webhookPatch(hook: Webhook, values: WebhookValues): WebhookUpdate {
  const body = webhookBody(values);
  const patch: WebhookUpdate = {};
  if (body.url !== hook.url) patch.url = body.url;
  if (body.events.join() !== hook.events.join()) patch.events = body.events;
  if ((body.description ?? null) !== (hook.description ?? null)) patch.description = body.description;
  if (body.enabled !== hook.enabled) patch.enabled = body.enabled;
  return patch;
}
