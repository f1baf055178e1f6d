import { laterDeliveryState, mergeMessages } from '../../agent-console/src/conversation/merge-messages.js';

/** The console's thread: views of a message arrive in any order; a delivery state never goes back. */
describe('console thread merge', () => {
  const msg = (id: string, deliveryStatus: string, text = 'risposta', deliveryError: string | null = null) => ({
    id,
    deliveryStatus,
    deliveryError,
    text,
  });

  it('keeps the later delivery state whatever the order of arrival', () => {
    expect(laterDeliveryState('read', 'sent')).toBe('read');
    expect(laterDeliveryState('queued', 'delivered')).toBe('delivered');
    expect(laterDeliveryState('received', 'read')).toBe('read');
    expect(laterDeliveryState('failed', 'read')).toBe('failed');
    expect(laterDeliveryState('read', 'failed')).toBe('failed');
    expect(laterDeliveryState('not_sent', 'queued')).toBe('not_sent');
  });

  it('a “read” update that arrives before the reply’s own “created” (sent with “queued”) stays read', () => {
    let thread = mergeMessages([msg('7', 'received', 'domanda')], [msg('9', 'sent')]); // updated: sent
    thread = mergeMessages(thread, [msg('9', 'read')]); // updated: read
    thread = mergeMessages(thread, [msg('9', 'queued')]); // created, late, with the state it had at the commit
    thread = mergeMessages(thread, [msg('9', 'delivered')]); // an older update, late
    expect(thread.map((m) => [m.id, m.deliveryStatus])).toEqual([
      ['7', 'received'],
      ['9', 'read'],
    ]);
  });

  it('a snapshot older than the updates shown does not undo them, and keeps id order and new content', () => {
    const shown = [msg('10', 'read'), msg('12', 'failed', 'x', 'rifiutato')];
    const snapshot = [msg('9', 'read', 'prima'), msg('10', 'sent', 'modificato'), msg('12', 'queued', 'x'), msg('11', 'queued', 'nuova')];
    expect(mergeMessages(shown, snapshot)).toEqual([
      msg('9', 'read', 'prima'),
      msg('10', 'read', 'modificato'),
      msg('11', 'queued', 'nuova'),
      msg('12', 'failed', 'x', 'rifiutato'),
    ]);
  });
});
