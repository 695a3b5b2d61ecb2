import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import { queryKeys } from './queryKeys';
import type { components } from './schema';
import type { ApiToken, User } from './types';

type Schemas = components['schemas'];

export const useTokens = () => useQuery({ queryKey: queryKeys.tokens, queryFn: () => request<ApiToken[]>('GET', '/tokens') });

export const useCreateToken = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (token: Schemas['CreateTokenDto']) =>
      request<Schemas['IssuedTokenResponse']>('POST', '/tokens', { body: token }),
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
    mutationFn: (user: Schemas['CreateUserDto']) =>
      request<Schemas['CreatedUserResponse']>('POST', '/users', { body: user }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.users }),
  });
};

export const useUpdateUser = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...change }: { id: string } & Schemas['UpdateUserDto']) =>
      request<User>('PATCH', `/users/${id}`, { body: change }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.users }),
  });
};
