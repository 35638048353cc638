import { describe, expect, it } from 'vitest';
import { parseFaxNotification } from './fax-events.js';
import { pickLanguage } from './static.js';

describe('pickLanguage', () => {
  it('takes German when the browser prefers it to English, else English', () => {
    expect(pickLanguage('de')).toBe('de');
    expect(pickLanguage('de-AT,de;q=0.9,en;q=0.8')).toBe('de');
    expect(pickLanguage('en-GB,en;q=0.9,de;q=0.8')).toBe('en');
    expect(pickLanguage('fr-FR,fr;q=0.9,de;q=0.7,en;q=0.5')).toBe('de');
    expect(pickLanguage('en;q=0.2,de;q=0.1')).toBe('en');
  });
  it('falls back to English for nothing, other languages, q=0 and junk', () => {
    expect(pickLanguage(undefined)).toBe('en');
    expect(pickLanguage('')).toBe('en');
    expect(pickLanguage('fr,it')).toBe('en');
    expect(pickLanguage('de;q=0')).toBe('en');
    expect(pickLanguage('de;q=abc,;;,')).toBe('en');
    expect(pickLanguage(`${'x,'.repeat(10_000)}de`)).toBe('en'); // only the first 20 entries count
  });
});

describe('parseFaxNotification', () => {
  it("reads the trigger's payload and refuses anything else", () => {
    expect(parseFaxNotification('12 done')).toEqual({ id: 12, state: 'done' });
    expect(parseFaxNotification('7 outcome-unknown')).toBeNull(); // not a fax state
    expect(parseFaxNotification('12 nonsense')).toBeNull();
    expect(parseFaxNotification('12')).toBeNull();
    expect(parseFaxNotification('x done')).toBeNull();
    expect(parseFaxNotification('1234567890123456 done')).toBeNull();
  });
});
