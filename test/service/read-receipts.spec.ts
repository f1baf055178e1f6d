import { OutboundDelivery } from '../../src/channels/outbound-delivery.js';
import { ConversationSignals } from '../../src/channels/webchat/conversation-signals.js';
import { TenantScope } from '../../src/common/tenant-scope.js';
import { citizenSays, connectCitizen, inScope, startApp, type TestApp } from '../support/harness.js';

/**
 * The web-chat adapter hands a reply to the citizen's socket before the worker stores "sent", so
 * the citizen's "read" of it can come first. It must not be lost, nor undone by that "sent".
 */
describe('a web-chat citizen’s read receipt racing the worker’s “sent”', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('marks the reply read while it is still queued, and the later “sent” does not undo it', async () => {
    const citizen = await connectCitizen(t, 'bari');
    try {
      const ack = await citizenSays(citizen.socket, 'Buongiorno, una domanda sulla TARI');
      expect(ack.ok).toBe(true);
      const [ticket] = await t.ds.query(
        `SELECT t.id, t.comune_id, i.address FROM tickets t JOIN citizen_identities i ON i.id = t.citizen_identity_id WHERE t.reference = $1`,
        [ack.ticketReference],
      );
      // Two replies not yet marked sent by the worker (no outbox row: no worker touches them here).
      const reply = async (text: string): Promise<string> =>
        String(
          (
            await t.ds.query(
              `INSERT INTO messages (ticket_id, comune_id, direction, author_type, text, channel, delivery_status)
         VALUES ($1, $2, 'outbound', 'operator', $3, 'webchat', 'queued') RETURNING id`,
              [ticket.id, ticket.comune_id, text],
            )
          )[0].id,
        );
      const earlier = await reply('Prima risposta, non ancora consegnata');
      const shown = await reply('Risposta già sullo schermo del cittadino');
      const state = async (id: string) => (await t.ds.query(`SELECT delivery_status FROM messages WHERE id = $1`, [id]))[0].delivery_status;

      // As the web-chat socket and the outbound worker call them: in the ticket's comune.
      const scope = TenantScope.ofComune(ticket.comune_id);
      // The citizen's widget got `shown` and says so before the worker recorded "sent".
      await inScope(scope, t.app.get(ConversationSignals)).citizenRead(ticket.address, shown);
      expect(await state(shown)).toBe('read');
      // The worker's "sent" comes after: states only move forward.
      expect(await inScope(scope, t.app.get(OutboundDelivery)).setStatus(shown, 'sent', null)).toBe(false);
      expect(await state(shown)).toBe('read');
      // A reply still queued that the citizen may not have yet is not claimed read.
      expect(await state(earlier)).toBe('queued');
    } finally {
      citizen.socket.disconnect();
    }
  });
});
