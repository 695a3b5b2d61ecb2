import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, unwrap } from './client';
import { queryKeys } from './queryKeys';
import type { components } from './schema';

/** Who the caller is; `role` is a token's access (kill-switch too) or `sdk` for an SDK key. */
export type Me = components['schemas']['MeResponse'];

/** The session as a query (`null`: signed out); the console also prefetches it before it renders. */
export const meQuery = queryOptions({
  queryKey: queryKeys.me,
  queryFn: async (): Promise<Me | null> => {
    try {
      return await unwrap(api.GET('/api/v1/auth/me'));
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null;
      throw error;
    }
  },
  staleTime: 60_000,
});

export const useMe = () => useQuery(meQuery);

export const useLogin = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (credentials: components['schemas']['LoginDto']) => unwrap(api.POST('/api/v1/auth/login', { body: credentials })),
    onSuccess: async () => {
      // Nothing cached for a previous user survives; the `me` query stays so its observers see the new user.
      client.removeQueries({ predicate: (query) => query.queryKey[0] !== queryKeys.me[0] });
      await client.refetchQueries({ queryKey: queryKeys.me });
    },
  });
};

export const useLogout = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/auth/logout')),
    onSettled: () => {
      client.removeQueries({ predicate: (query) => query.queryKey[0] !== queryKeys.me[0] });
      client.setQueryData(queryKeys.me, null);
    },
  });
};

/** What the signed-in principal may do; the server enforces the same rules. */
export const usePermissions = () => {
  const { data: me } = useMe();
  const role = me?.role ?? 'viewer';
  return { canEdit: role === 'editor' || role === 'admin', isAdmin: role === 'admin', role };
};
