// render.sandbox is visible where an operator and an auditor look: /status (and its terminal
// form), the lockdown report; and the loader says 'none' loudly, once.
import { buildReport, formatReport, resolvePolicy } from '@faxgate/isdn-lockdown';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.js';
import { createDocumentLoader, documentLoaderOptions } from '../documents/load-pages.js';
import { formatStatus, gatewayStatus } from '../status.js';

const configWith = (sandbox?: 'bubblewrap' | 'none') =>
  validateConfig(sandbox ? { render: { sandbox } } : {}, {}).config;

describe('render.sandbox in status and the lockdown report', () => {
  it('defaults to bubblewrap and shows it', () => {
    const config = configWith();
    expect(config.render.sandbox).toBe('bubblewrap');
    const s = gatewayStatus({ config, configFile: null, startedAt: new Date(), apiAddress: '' });
    expect(s.render).toEqual({ sandbox: 'bubblewrap' });
    expect(formatStatus(s)).toMatch(/^ {2}render: {4}bubblewrap sandbox$/m);
  });

  it("'none' is a warning in the status and the lockdown report", () => {
    const config = configWith('none');
    const s = gatewayStatus({ config, configFile: null, startedAt: new Date(), apiAddress: '' });
    expect(s.render.sandbox).toBe('none');
    expect(formatStatus(s)).toMatch(
      /WARNING: +render workers run WITHOUT a sandbox \(render\.sandbox: none\)/,
    );
    const base = {
      policy: resolvePolicy(),
      evidence: { error: 'not read in this test' },
      sockets: [],
      allowedListeners: [],
    };
    const none = buildReport({ ...base, renderSandbox: 'none' });
    expect(none.renderSandbox).toBe('none');
    expect(none.warnings.some((w) => w.startsWith('render workers run WITHOUT a sandbox'))).toBe(true);
    expect(formatReport(none)).toMatch(/render sandbox: +none/);
    const boxed = buildReport({ ...base, renderSandbox: 'bubblewrap' });
    expect(boxed.warnings.some((w) => w.includes('WITHOUT a sandbox'))).toBe(false);
    expect(formatReport(boxed)).toMatch(/render sandbox: +bubblewrap/);
  });

  it("the loader warns once about 'none', when it is made, and reports its mode", async () => {
    const warnings: string[] = [];
    const loader = createDocumentLoader(documentLoaderOptions(configWith('none'), (m) => warnings.push(m)));
    try {
      expect(loader.sandbox).toBe('none');
      for (let i = 0; i < 50 && warnings.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/WITHOUT a sandbox/);
    } finally {
      await loader.close();
    }
    const boxed = createDocumentLoader(documentLoaderOptions(configWith(), () => {}));
    expect(boxed.sandbox).toBe('bubblewrap');
    await boxed.close();
  });
});
