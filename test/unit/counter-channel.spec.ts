import { counterAddress, normalizeCounterRequest } from '../../src/channels/counter/counter-normalize.js';

describe('phone and desk requests as inbound messages', () => {
  const citizen = { name: 'Maria Rossi', fiscalCode: 'rssmra80a41a662x', phone: '+390801234567', email: 'maria.rossi@example.it' };

  it('recognises the citizen by fiscal code, then phone, then e-mail, else as a new anonymous person', () => {
    expect(counterAddress(citizen)).toBe('cf:RSSMRA80A41A662X');
    expect(counterAddress({ ...citizen, fiscalCode: undefined })).toBe('tel:+390801234567');
    expect(counterAddress({ ...citizen, fiscalCode: undefined, phone: null })).toBe('mailto:maria.rossi@example.it');
    const anon = counterAddress({ phone: null, email: null });
    expect(anon).toMatch(/^anon:[0-9a-f-]{36}$/);
    expect(counterAddress({ phone: null, email: null })).not.toBe(anon);
  });

  it('always opens a new ticket, under a fresh id of the operator who entered it', () => {
    const request = {
      channel: 'phone' as const,
      comuneId: 3,
      operatorId: 17,
      citizen: { ...citizen, name: '' },
      text: 'Lampione spento',
      location: { lat: 41.1, lng: 16.8 },
      ticket: { type: 'report', category: '', subject: undefined },
    };
    const a = normalizeCounterRequest(request);
    expect(a).toEqual({
      channel: 'phone',
      comuneId: 3,
      externalId: expect.stringMatching(/^console:17:[0-9a-f-]{36}$/),
      sender: { address: 'cf:RSSMRA80A41A662X', displayName: null },
      text: 'Lampione spento',
      location: { lat: 41.1, lng: 16.8 },
      ticket: { type: 'report', category: null, subject: null, forceNew: true },
    });
    expect(normalizeCounterRequest(request).externalId).not.toBe(a.externalId);
  });
});
