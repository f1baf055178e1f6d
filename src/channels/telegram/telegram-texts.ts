/** What the bot says to citizens: Italian first (the citizens of the comuni), English after. */
export const STATUS_LABELS_IT: Record<string, string> = {
  new: 'ricevuta, in attesa di essere presa in carico',
  open: 'presa in carico, in lavorazione',
  waiting_citizen: 'in attesa di una sua risposta',
  resolved: 'risolta',
  closed: 'chiusa',
};

export function greeting(comune: string): string {
  return [
    `Benvenuta/o! Questo è il servizio URP del Comune di ${comune} su Telegram.`,
    '',
    'Può scriverci qui per:',
    '• chiedere informazioni su uffici, orari e servizi comunali;',
    '• segnalare un disservizio (una buca, un lampione spento, rifiuti abbandonati): invii una foto e la posizione (📎 → Posizione);',
    '• inviarci documenti o messaggi vocali.',
    '',
    'Un operatore le risponderà in questa chat, in orario d’ufficio.',
    'Per sapere a che punto è una sua pratica scriva /stato seguito dal codice, per esempio: /stato BA-2026-000123',
    '',
    `I suoi dati sono trattati dal Comune di ${comune} solo per rispondere alla sua richiesta.`,
    '',
    `(English: this is the public relations office of the Comune di ${comune}. Write your question here; send /stato <reference> to check a request.)`,
  ].join('\n');
}

export function ticketState(reference: string, status: string, subject: string | null): string {
  return `La pratica ${reference}${subject ? ` («${subject}»)` : ''} è ${STATUS_LABELS_IT[status] ?? status}.`;
}

export const notFound = (reference: string) =>
  `Non ho trovato la pratica ${reference} tra le richieste inviate da questa chat. Controlli il codice (per esempio BA-2026-000123).`;

export const noTickets = 'Da questa chat non risultano ancora richieste. Ci scriva pure il suo messaggio.';

export const refused = (reason: string) => `Il messaggio non è stato accettato: ${reason}. La preghiamo di riprovare.`;
