import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client';
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
  'scheduled_change.failed': true,
  'change_request.created': true,
  'change_request.approved': true,
  'change_request.applied': true,
  'change_request.rejected': true,
};
/** The events the form offers, in this order. */
export const WEBHOOK_EVENTS = Object.keys(OFFERED_EVENTS) as WebhookEvent[];

export type Webhook = Schemas['WebhookResponse'];
/** The HMAC-SHA256 signing secret is in this answer only. */
export type IssuedWebhook = Schemas['IssuedWebhookResponse'];
export type DeliveryAttempt = Schemas['DeliveryAttemptResponse'];
export type Delivery = Schemas['WebhookDeliveryResponse'];
export type NewWebhook = Schemas['CreateWebhookDto'];

export const useWebhooks = () => useQuery({ queryKey: queryKeys.webhooks, queryFn: () => unwrap(api.GET('/api/v1/webhooks')) });

/** Webhook delivery attempts have no push source. */
const DELIVERIES_REFRESH_MS = 15_000;

export const useDeliveries = (id: string, enabled = true) =>
  useQuery({
    queryKey: [...queryKeys.webhooks, id, 'deliveries'],
    queryFn: () => unwrap(api.GET('/api/v1/webhooks/{id}/deliveries', { params: { path: { id }, query: { limit: 20 } } })),
    enabled,
    // Delivery attempts are not pushed to the console: a slow refresh while the list is open.
    refetchInterval: DELIVERIES_REFRESH_MS,
  });

const useWebhookMutation = <V, R>(fn: (variables: V) => Promise<R>) => {
  const client = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.webhooks }) });
};

export const useCreateWebhook = () => useWebhookMutation((webhook: NewWebhook) => unwrap(api.POST('/api/v1/webhooks', { body: webhook })));

export const useSetWebhookEnabled = () =>
  useWebhookMutation(({ id, enabled }: { id: string; enabled: boolean }) =>
    unwrap(api.PATCH('/api/v1/webhooks/{id}', { params: { path: { id } }, body: { enabled } })),
  );

export const useDeleteWebhook = () => useWebhookMutation((id: string) => unwrap(api.DELETE('/api/v1/webhooks/{id}', { params: { path: { id } } })));

export const useTestWebhook = () => useWebhookMutation((id: string) => unwrap(api.POST('/api/v1/webhooks/{id}/test', { params: { path: { id } } })));
