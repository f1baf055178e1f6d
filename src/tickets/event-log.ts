/** The event log moved to the case core (src/cases/event-log.ts); this path stays for the modules that still import it. */
export { appendEvents, type TicketEventInput } from '../cases/event-log.js';
