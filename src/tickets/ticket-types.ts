/**
 * Ticket types became case types (src/cases/): this path keeps the name the ingest pipeline still
 * imports. The registry is the same class, so the same provider.
 */
export { CaseTypeRegistry as TicketTypeRegistry, CaseType as TicketTypeDefinition } from '../cases/case-type.registry.js';
