import { describe, expect, it } from 'vitest';

import type { Webhook } from './api/webhooks';
import { EMPTY_WEBHOOK, EVENT_GROUPS, EVENT_TYPES, validateWebhook, valuesOf, webhookBody, webhookPatch } from './webhookForm';

const hook: Webhook = {
  id: 'w1',
  url: 'https://hooks.example.com/x',
  events: ['contact.created'],
  description: null,
  enabled: false,
  disabled_reason: '20 failed attempts in a row',
  consecutive_failures: 20,
  created_at: '2026-11-29T12:00:00Z',
  updated_at: '2026-11-29T12:00:00Z',
};

describe('webhook form', () => {
  it('offers the ten event types, grouped by record', () => {
    expect(EVENT_TYPES).toHaveLength(10);
    expect(EVENT_GROUPS.map((g) => [g.group, g.items.length])).toEqual([
      ['Companies', 3],
      ['Contacts', 3],
      ['Deals', 4],
    ]);
  });

  it('asks for a URL and at least one event', () => {
    expect(validateWebhook(EMPTY_WEBHOOK)).toEqual({ url: 'is required', events: 'pick at least one event' });
    expect(validateWebhook({ ...EMPTY_WEBHOOK, url: '', events: ['deal.created'] })).toEqual({ url: 'is required' });
  });

  it.each([
    ['ftp://files.example.com/x', 'must be an http or https URL'],
    ['hooks.example.com/x', 'must be an http or https URL'],
    ['https://user:secret@hooks.example.com/x', 'must not contain credentials'],
    ['http://ab', 'must be at least 10 characters'],
    [`https://hooks.example.com/${'x'.repeat(2000)}`, 'must be at most 2000 characters'],
  ])('refuses the URL %s', (url, message) => {
    expect(validateWebhook({ ...EMPTY_WEBHOOK, url, events: ['deal.created'] }).url).toBe(message);
  });

  it('accepts a public-looking http(s) URL (the API checks the address), and refuses unknown events and long descriptions', () => {
    expect(validateWebhook({ ...EMPTY_WEBHOOK, url: 'https://hooks.example.com/x', events: ['deal.stage_changed'] })).toEqual({});
    expect(validateWebhook({ ...EMPTY_WEBHOOK, url: 'https://hooks.example.com/x', events: ['deal.won'] }).events).toBe('unknown event type');
    expect(validateWebhook({ ...EMPTY_WEBHOOK, url: 'https://hooks.example.com/x', events: ['deal.created'], description: 'd'.repeat(2001) }).description).toBeTruthy();
  });

  it('sends a trimmed URL and no empty description', () => {
    expect(webhookBody({ url: ' https://hooks.example.com/x ', events: ['company.created'], description: '  ', enabled: true })).toEqual({
      url: 'https://hooks.example.com/x',
      events: ['company.created'],
      description: null,
      enabled: true,
    });
  });

  it('edits only what changed: re-enabling a disabled endpoint is {enabled: true}', () => {
    const values = valuesOf(hook);
    expect(webhookPatch(hook, values)).toEqual({});
    expect(webhookPatch(hook, { ...values, enabled: true })).toEqual({ enabled: true });
    expect(webhookPatch(hook, { ...values, description: 'Sync', events: ['contact.created', 'deal.created'] })).toEqual({
      description: 'Sync',
      events: ['contact.created', 'deal.created'],
    });
  });
});
