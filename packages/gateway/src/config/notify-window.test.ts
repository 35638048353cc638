// The configuration keys of the sending window (queue.timeOfDay/timeZone) and of webhook
// notifications: defaults, errors that name the key, secrets redacted.
import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { validateConfig } from './load.js';
import { configDocument, redactConfig } from './redact.js';

const SECRET = 's'.repeat(40);

const problems = (input: unknown): string[] => {
  try {
    validateConfig(input, {});
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
};

describe('queue.timeOfDay and queue.timeZone', () => {
  it('default to Any in the local zone and accept windows and IANA zones', () => {
    const { config } = validateConfig({}, {});
    expect(config.queue.timeOfDay).toBe('Any');
    expect(config.queue.timeZone).toBe('local');
    const custom = validateConfig(
      { queue: { timeOfDay: 'Mon-Fri 0800-1800, Sat 0900-1200', timeZone: 'Europe/Berlin' } },
      {},
    );
    expect(custom.config.queue.timeOfDay).toBe('Mon-Fri 0800-1800, Sat 0900-1200');
  });

  it('name the key and what is wrong', () => {
    expect(problems({ queue: { timeOfDay: 'Mon-Fri 0800-1860' } })).toEqual([
      'queue.timeOfDay: minutes must be 00..59 in "Mon-Fri 0800-1860", got "1860"',
    ]);
    expect(problems({ queue: { timeOfDay: 'Workdays 0800-1800' } })).toEqual([
      'queue.timeOfDay: unknown day "Workdays" in "Workdays 0800-1800" (Mon Tue Wed Thu Fri Sat Sun, Wk, Any)',
    ]);
    expect(problems({ queue: { timeZone: 'Mars/Olympus' } })).toEqual([
      'queue.timeZone: expected an IANA time zone (e.g. Europe/Berlin) or "local", got "Mars/Olympus"',
    ]);
  });
});

describe('notifications', () => {
  it('default to no webhooks; a webhook gets its timeout default', () => {
    const { config } = validateConfig({}, {});
    expect(config.notifications).toEqual({
      webhooks: [],
      pollIntervalSeconds: 2,
      retry: { initialDelaySeconds: 10, maxDelaySeconds: 600, maxAttempts: 30 },
    });
    const one = validateConfig(
      {
        notifications: { webhooks: [{ name: 'crm', url: 'https://crm.example/hook', events: ['fax.sent'] }] },
      },
      {},
    );
    expect(one.config.notifications.webhooks).toEqual([
      { name: 'crm', url: 'https://crm.example/hook', events: ['fax.sent'], timeoutSeconds: 10 },
    ]);
  });

  it('refuse bad webhooks with the key named', () => {
    const hook = { name: 'crm', url: 'https://crm.example/hook', events: ['fax.sent'] };
    expect(problems({ notifications: { webhooks: [{ ...hook, url: 'ftp://x/' }] } })).toEqual([
      'notifications.webhooks.0.url: expected a https: or http:// URL',
    ]);
    expect(problems({ notifications: { webhooks: [{ ...hook, secret: 'short' }] } })).toEqual([
      'notifications.webhooks.0.secret: expected a string of at least 32 characters',
    ]);
    expect(problems({ notifications: { webhooks: [{ ...hook, events: ['fax.printed'] }] } })).toEqual([
      'notifications.webhooks.0.events.0: expected one of fax.sent, fax.failed, fax.received, fax.outcome-unknown, fax.requeued, alert.raised, alert.cleared, got "fax.printed"',
    ]);
    expect(problems({ notifications: { webhooks: [{ ...hook, events: [] }] } })[0]).toMatch(
      /^notifications\.webhooks\.0\.events: expected at least one of fax\.sent/,
    );
    expect(problems({ notifications: { webhooks: [hook, hook] } })).toEqual([
      'notifications.webhooks: expected each webhook name once',
    ]);
    expect(problems({ notifications: { webhooks: [{ ...hook, headers: {} }] } })).toEqual([
      'notifications.webhooks.0.headers: unknown key',
    ]);
  });

  it('never print, log or store a webhook secret or a password in its URL', () => {
    const { config } = validateConfig(
      {
        notifications: {
          webhooks: [
            { name: 'crm', url: 'https://u:hunter2@crm.example/hook', events: ['fax.sent'], secret: SECRET },
          ],
        },
      },
      {},
    );
    const doc = configDocument(config);
    expect(doc).not.toContain(SECRET);
    expect(doc).not.toContain('hunter2');
    expect(redactConfig(config).notifications.webhooks[0]).toMatchObject({
      secret: '<redacted>',
      url: 'https://u:<redacted>@crm.example/hook',
    });
    expect(config.notifications.webhooks[0].secret).toBe(SECRET); // the running config keeps it
  });
});
