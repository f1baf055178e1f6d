import { parseCsatReply } from '../../src/analytics/csat-replies.js';

/** What a citizen's text answer to the satisfaction survey reads as. */
describe('parseCsatReply', () => {
  it.each([
    ['5', 5, null],
    ['  4 ', 4, null],
    ['4 molto gentili', 4, 'molto gentili'],
    ['4 grazie', 4, 'grazie'],
    ['Voto: 3', 3, null],
    ['voto 2, risposta lenta', 2, 'risposta lenta'],
    ['3/5 ok', 3, 'ok'],
    ['4 su 5. Gentili ma lenti', 4, 'Gentili ma lenti'],
    ['5 stelle!', 5, null],
    ['1!!! pessimo servizio', 1, 'pessimo servizio'],
    ['5\n\nGrazie mille\n-- \nMario Rossi\nVia Sparano 1', 5, 'Grazie mille'],
  ])('%j is the rating %i with comment %j', (text, rating, comment) => {
    expect(parseCsatReply(text)).toEqual({ rating, comment });
  });

  it.each(['ho ancora il problema', 'Grazie, 5', '6', '0', '10', '3.5', '4,50 € di multa', '2-3 giorni fa', '5km di fila', '', null])(
    '%j is not a rating',
    (text) => {
      expect(parseCsatReply(text)).toBeNull();
    },
  );

  it('takes a digit followed by more than a survey comment (1000 characters) for a message', () => {
    expect(parseCsatReply(`4 ${'x'.repeat(1000)}`)).toEqual({ rating: 4, comment: 'x'.repeat(1000) });
    expect(parseCsatReply(`4 ${'x'.repeat(1001)}`)).toBeNull();
  });
});
