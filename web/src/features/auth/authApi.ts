import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { queryKeys } from '../../api/queryKeys';
import type { components } from '../../api/schema';

// Typed hooks over the sign-in and second-factor endpoints, through the console's one HTTP client.

export type SignInOptions = components['schemas']['SignInOptionsResponse'];
export type TwoFactorStatus = components['schemas']['TwoFactorStatusResponse'];

const keys = { signInOptions: ['sign-in-options'] as const, twoFactor: ['two-factor'] as const };

/** Whether the sign-in page offers an OIDC provider; failing to ask only hides the button. */
export const useSignInOptions = () =>
  useQuery({ queryKey: keys.signInOptions, queryFn: () => unwrap(api.GET('/api/v1/auth/sign-in-options')), staleTime: Infinity, retry: false });

export const useTwoFactorStatus = () => useQuery({ queryKey: keys.twoFactor, queryFn: () => unwrap(api.GET('/api/v1/auth/two-factor')) });

export const useBeginTwoFactor = () => useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/auth/two-factor/enrolment')) });

/** Confirms enrolment; `me` is refetched, so a console held back by SIGNALBOX_REQUIRE_TWO_FACTOR opens. */
export const useConfirmTwoFactor = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (code: string) => unwrap(api.POST('/api/v1/auth/two-factor/enrolment/confirm', { body: { code } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.twoFactor }),
  });
};

export const useDisableTwoFactor = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (code: string) => unwrap(api.POST('/api/v1/auth/two-factor/disable', { body: { code } })),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: keys.twoFactor });
      await client.invalidateQueries({ queryKey: queryKeys.me });
    },
  });
};

/** Admins: remove a user's second factor (a lost phone). */
export const useResetTwoFactor = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) => unwrap(api.DELETE('/api/v1/users/{id}/two-factor', { params: { path: { id: userId } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.users }),
  });
};

/** The secret in groups of four, easier to type into an app by hand. */
export const groupedSecret = (secret: string): string => secret.replace(/(.{4})(?=.)/g, '$1 ');
