// The listener is one of ours in the lockdown report when it is on, and absent when it is off.
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.js';
import { allowedListeners } from '../lockdown/policy.js';

describe('the lockdown report’s listener list', () => {
  it('names the HylaFAX port as faxgate’s when the listener is on', () => {
    const on = validateConfig({ hylafax: { enabled: true } }, {}).config;
    expect(allowedListeners(on)).toContainEqual({
      port: 4559,
      protocol: 'tcp',
      note: 'faxgate HylaFAX client protocol',
    });
    const off = validateConfig({}, {}).config;
    expect(allowedListeners(off).some((l) => l.port === 4559)).toBe(false);
  });

  it('is off by default, on loopback, and refuses unknown keys', () => {
    const c = validateConfig({}, {}).config.hylafax;
    expect(c).toMatchObject({ enabled: false, address: '127.0.0.1', port: 4559 });
    expect(() => validateConfig({ hylafax: { enabled: true, passwordless: true } } as never, {})).toThrow(
      /hylafax/,
    );
  });
});
