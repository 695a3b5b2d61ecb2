import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client';
import { queryKeys } from './queryKeys';
import type { components } from './schema';

type Schemas = components['schemas'];

export type Role = Schemas['CreateUserDto']['role'];
export type User = Schemas['UserResponse'];
export type TokenAccess = Schemas['CreateTokenDto']['access'];
export type ApiToken = Schemas['TokenResponse'];
/** A token to create; `projects` and `environments` (kill-switch tokens only) are omitted for "all". */
export type NewToken = Schemas['CreateTokenDto'];

export const useTokens = () => useQuery({ queryKey: queryKeys.tokens, queryFn: () => unwrap(api.GET('/api/v1/tokens')) });

export const useCreateToken = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (token: NewToken) => unwrap(api.POST('/api/v1/tokens', { body: token })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.tokens }),
  });
};

export const useRevokeToken = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/tokens/{id}', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.tokens }),
  });
};

export const useUsers = () => useQuery({ queryKey: queryKeys.users, queryFn: () => unwrap(api.GET('/api/v1/users')) });

export const useCreateUser = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (user: Schemas['CreateUserDto']) => unwrap(api.POST('/api/v1/users', { body: user })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.users }),
  });
};

export const useUpdateUser = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...change }: { id: string } & Schemas['UpdateUserDto']) =>
      unwrap(api.PATCH('/api/v1/users/{id}', { params: { path: { id } }, body: change })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.users }),
  });
};
