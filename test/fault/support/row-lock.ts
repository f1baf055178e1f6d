import pg from 'pg';

/**
 * Holds a ticket's row lock from a separate connection, so a worker's routing transaction stops
 * halfway through its job (it waits on the row) until the test releases it.
 */
export async function holdTicketRow(databaseUrl: string, ticketId: string | number): Promise<{ release: () => Promise<void> }> {
  const holder = new pg.Client({ connectionString: databaseUrl });
  await holder.connect();
  await holder.query('BEGIN');
  await holder.query(`SELECT id FROM tickets WHERE id = $1 FOR UPDATE`, [ticketId]);
  return {
    release: async () => {
      await holder.query('ROLLBACK');
      await holder.end();
    },
  };
}
