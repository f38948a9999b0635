import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from '../../../lib/api/client';
import type { Schemas } from '../../../lib/api/client';
import { retryUnlessFinal } from '../../../lib/records';

export type Webhook = Schemas['Webhook'];
export type NewWebhook = Schemas['WebhookWithSecret'];
export type WebhookCreate = Schemas['WebhookCreate'];
export type WebhookUpdate = Schemas['WebhookUpdate'];
export type Delivery = Schemas['Delivery'];
export type EventType = Schemas['EventType'];

export function useWebhooks() {
  return useQuery({
    queryKey: ['webhooks'],
    queryFn: async () => unwrap(await api.GET('/api/webhooks', { params: { query: { limit: 200 } } })),
  });
}

export function useWebhook(id: string) {
  return useQuery({
    queryKey: ['webhooks', 'one', id],
    queryFn: async () => unwrap(await api.GET('/api/webhooks/{id}', { params: { path: { id } } })),
    retry: retryUnlessFinal,
  });
}

export function useCreateWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: WebhookCreate) => unwrap(await api.POST('/api/webhooks', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['webhooks'] }),
  });
}

/** Changes an endpoint (only the fields given); `{enabled: true}` enables a disabled one again. */
export function useUpdateWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, body }: { id: string; body: WebhookUpdate }) => unwrap(await api.PATCH('/api/webhooks/{id}', { params: { path: { id } }, body })),
    onSuccess: (hook) => {
      queryClient.setQueryData(['webhooks', 'one', hook.id], hook);
      return queryClient.invalidateQueries({ queryKey: ['webhooks'] });
    },
  });
}

export function useDeleteWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/webhooks/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['webhooks'] }),
  });
}

/** A new signing secret (the old one stops signing at once); shown only in this answer. */
export function useRotateSecret() {
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.POST('/api/webhooks/{id}/secret', { params: { path: { id } } })),
  });
}

/** The delivery log of an endpoint, newest first, a page at a time. */
export function useDeliveries(id: string, cursor?: string) {
  return useQuery({
    queryKey: ['webhooks', 'deliveries', id, cursor],
    queryFn: async () => unwrap(await api.GET('/api/webhooks/{id}/deliveries', { params: { path: { id }, query: { cursor, limit: 50 } } })),
    placeholderData: keepPreviousData,
  });
}

/** Sends a delivery's event again, as a new delivery; the log is read again. */
export function useReplayDelivery(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (deliveryId: string) =>
      unwrap(await api.POST('/api/webhooks/{id}/deliveries/{delivery_id}/replay', { params: { path: { id, delivery_id: deliveryId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['webhooks', 'deliveries', id] }),
  });
}
