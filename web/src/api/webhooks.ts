import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import { queryKeys } from './queryKeys';
import type { components } from './schema';

type Schemas = components['schemas'];

export type WebhookEvent = Schemas['WebhookResponse']['events'][number];
// A Record, so the build fails when the server adds or drops an event the form does not list.
const OFFERED_EVENTS: Record<WebhookEvent, true> = {
  'flag.changed': true,
  'flag.killed': true,
  'flag.restored': true,
  'rollout.advanced': true,
  'rollout.rolled_back': true,
  'experiment.decided': true,
};
/** The events the form offers, in this order. */
export const WEBHOOK_EVENTS = Object.keys(OFFERED_EVENTS) as WebhookEvent[];

export type Webhook = Schemas['WebhookResponse'];
/** The HMAC-SHA256 signing secret is in this answer only. */
export type IssuedWebhook = Schemas['IssuedWebhookResponse'];
export type DeliveryAttempt = Schemas['DeliveryAttemptResponse'];
export type Delivery = Schemas['WebhookDeliveryResponse'];
export type NewWebhook = Schemas['CreateWebhookDto'];

export const useWebhooks = () =>
  useQuery({ queryKey: queryKeys.webhooks, queryFn: () => request<Webhook[]>('GET', '/webhooks') });

export const useDeliveries = (id: string, enabled = true) =>
  useQuery({
    queryKey: [...queryKeys.webhooks, id, 'deliveries'],
    queryFn: () => request<Delivery[]>('GET', `/webhooks/${id}/deliveries`, { query: { limit: 20 } }),
    enabled,
    refetchInterval: 5000,
  });

const useWebhookMutation = <V, R>(fn: (variables: V) => Promise<R>) => {
  const client = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.webhooks }) });
};

export const useCreateWebhook = () => useWebhookMutation((webhook: NewWebhook) => request<IssuedWebhook>('POST', '/webhooks', { body: webhook }));

export const useSetWebhookEnabled = () =>
  useWebhookMutation(({ id, enabled }: { id: string; enabled: boolean }) => request<Webhook>('PATCH', `/webhooks/${id}`, { body: { enabled } }));

export const useDeleteWebhook = () => useWebhookMutation((id: string) => request<void>('DELETE', `/webhooks/${id}`));

export const useTestWebhook = () => useWebhookMutation((id: string) => request<Delivery>('POST', `/webhooks/${id}/test`));
