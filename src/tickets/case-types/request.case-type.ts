import { defineCaseType } from '../../cases/case-type.js';

/** A question or request to the comune's offices: no payload fields, no position, handled by an operator. */
export const REQUEST_CASE_TYPE = defineCaseType({
  name: 'request',
  label: { it: 'Richiesta', en: 'Request' },
  requiresLocation: false,
  needsOperator: true,
});
