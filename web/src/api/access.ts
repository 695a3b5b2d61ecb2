import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import { queryKeys } from './queryKeys';
import type { ApiToken, Role, TokenAccess, User } from './types';

export const useTokens = () => useQuery({ queryKey: queryKeys.tokens, queryFn: () => request<ApiToken[]>('GET', '/tokens') });

export const useCreateToken = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (token: { name: string; access: TokenAccess; projects?: string[]; environments?: string[] }) =>
      request<{ token: ApiToken; secret: string }>('POST', '/tokens', { body: token }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.tokens }),
  });
};

export const useRevokeToken = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => request<void>('DELETE', `/tokens/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.tokens }),
  });
};

export const useUsers = () => useQuery({ queryKey: queryKeys.users, queryFn: () => request<User[]>('GET', '/users') });

export const useCreateUser = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (user: { email: string; name: string; role: Role }) =>
      request<{ user: User; password: string }>('POST', '/users', { body: user }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.users }),
  });
};

export const useUpdateUser = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...change }: { id: string; role?: Role; disabled?: boolean; name?: string }) =>
      request<User>('PATCH', `/users/${id}`, { body: change }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.users }),
  });
};
