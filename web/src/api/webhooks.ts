import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import { queryKeys } from './queryKeys';

export const WEBHOOK_EVENTS = ['flag.changed', 'flag.killed', 'flag.restored', 'rollout.advanced', 'rollout.rolled_back', 'experiment.decided'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface Webhook {
  id: string;
  name: string;
  url: string;
  events: WebhookEvent[];
  projectKey: string | null;
  enabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
  secretPrefix: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface IssuedWebhook {
  webhook: Webhook;
  /** HMAC-SHA256 signing secret, in this answer only. */
  secret: string;
}

export interface DeliveryAttempt {
  at: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface Delivery {
  id: string;
  event: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  attemptLog: DeliveryAttempt[];
  payload: Record<string, unknown>;
  createdAt: string;
  deliveredAt: string | null;
}

export interface NewWebhook {
  name: string;
  url: string;
  events: WebhookEvent[];
  projectKey?: string;
}

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
