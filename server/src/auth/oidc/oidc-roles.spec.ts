import { describe, expect, it } from 'vitest';
import type { Role } from '../roles.js';
import { claimValues, mappedRole } from './oidc-roles.js';

const map = new Map<string, Role>([
  ['sb-viewers', 'viewer'],
  ['sb-admins', 'admin'],
  ['sb-editors', 'editor'],
]);

describe('OIDC role mapping', () => {
  it.each([
    [{ groups: ['sb-viewers', 'sb-admins', 'sb-editors'] }, 'groups', 'admin'],
    [{ groups: ['other', 'sb-editors'] }, 'groups', 'editor'],
    [{ groups: 'sb-viewers' }, 'groups', 'viewer'],
    [{ realm_access: { roles: ['sb-editors'] } }, 'realm_access.roles', 'editor'],
    [{ 'https://example.com/roles': ['sb-admins'] }, 'https://example.com/roles', 'admin'],
    [{ groups: ['other'] }, 'groups', null],
    [{ groups: [42, { name: 'sb-admins' }] }, 'groups', null],
    [{}, 'groups', null],
    [{ groups: ['sb-admins'] }, 'roles', null],
  ])('maps %j at %s to %s', (claims, path, role) => {
    expect(mappedRole(claimValues(claims, path), map)).toBe(role);
  });

  it('matches values exactly, not by case or prefix', () => {
    expect(mappedRole(['SB-ADMINS', 'sb-admins-old', 'sb-admin'], map)).toBeNull();
  });
});
