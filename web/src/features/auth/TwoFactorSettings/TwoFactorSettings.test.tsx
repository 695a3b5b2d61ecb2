import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderWithClient, stubApi } from '../../../test/render';
import { groupedSecret } from '../authApi';
import { TwoFactorSettings } from './TwoFactorSettings';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe('TwoFactorSettings', () => {
  it('enrols: the key to type and the otpauth link, then the first code turns it on and shows the recovery codes once', async () => {
    let enabled = false;
    const calls = stubApi((method, path, body) => {
      if (method === 'GET' && path === '/auth/two-factor') return { status: 200, body: { enabled, required: false, recoveryCodesLeft: enabled ? 10 : 0 } };
      if (method === 'POST' && path === '/auth/two-factor/enrolment') {
        return { status: 201, body: { secret: SECRET, otpauthUri: `otpauth://totp/Signalbox:ada?secret=${SECRET}&issuer=Signalbox` } };
      }
      if (method === 'POST' && path === '/auth/two-factor/enrolment/confirm') {
        if ((body as { code: string }).code !== '123456')
          return { status: 400, body: { error: 'VALIDATION_FAILED', message: 'code: is not the code the authenticator app shows now' } };
        enabled = true;
        return { status: 200, body: { recoveryCodes: ['aaaa-bbbb-cccc-dddd', 'eeee-ffff-gggg-hhhh'] } };
      }
      return undefined;
    });
    const user = userEvent.setup();
    renderWithClient(<TwoFactorSettings />);
    await user.click(await screen.findByRole('button', { name: 'Set up' }));
    expect((await screen.findByLabelText('Setup key')).textContent).toBe('JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP');
    expect(screen.getByRole('link', { name: 'this otpauth link' }).getAttribute('href')).toMatch(/^otpauth:\/\/totp\//);
    const turnOn = screen.getByRole('button', { name: 'Turn on' });
    expect(turnOn).toHaveProperty('disabled', true);
    await user.type(screen.getByLabelText('Code from the app'), '000000');
    await user.click(turnOn);
    expect((await screen.findByRole('alert')).textContent).toMatch(/is not the code/);
    await user.clear(screen.getByLabelText('Code from the app'));
    await user.type(screen.getByLabelText('Code from the app'), '123456');
    await user.click(turnOn);
    const codes = await screen.findByRole('list', { name: 'Recovery codes' });
    expect(codes.textContent).toContain('aaaa-bbbb-cccc-dddd');
    await user.click(screen.getByRole('button', { name: 'I have saved them' }));
    await screen.findByText(/10 recovery codes left/);
    expect(screen.queryByRole('list', { name: 'Recovery codes' })).toBeNull();
    await waitFor(() => expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([undefined, { code: '000000' }, { code: '123456' }]));
  });

  it('groups a secret in fours', () => {
    expect(groupedSecret('ABCDEFGHIJ')).toBe('ABCD EFGH IJ');
  });
});
