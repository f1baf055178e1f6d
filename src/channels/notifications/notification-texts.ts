/** What a citizen is told when their ticket moves, on their own channel. Italian (the citizens' language). */
export type NotificationKind = 'taken_in_charge' | 'resolved';

export function notificationText(kind: NotificationKind, reference: string, comune: string): string {
  switch (kind) {
    case 'taken_in_charge':
      return `La sua richiesta ${reference} è stata presa in carico da un operatore dell’URP del Comune di ${comune}. Le risponderemo qui appena possibile.`;
    case 'resolved':
      return `La sua richiesta ${reference} è stata risolta. Grazie per aver contattato l’URP del Comune di ${comune}. Per una nuova richiesta può scriverci di nuovo qui.`;
  }
}

/**
 * The same news sent to a contact the citizen left (their request came from the web chat, the app,
 * the phone or the desk): it does not promise answers "here", where the conversation is not.
 */
export function contactNotificationText(kind: NotificationKind, reference: string, comune: string): string {
  switch (kind) {
    case 'taken_in_charge':
      return `La sua richiesta ${reference} è stata presa in carico da un operatore dell’URP del Comune di ${comune}. Le scriviamo a questo recapito, che ci ha lasciato per ricevere aggiornamenti.`;
    case 'resolved':
      return `La sua richiesta ${reference} è stata risolta. Grazie per aver contattato l’URP del Comune di ${comune}.`;
  }
}

/** The same news on the channel the citizen chose in the personal area of the portal. */
export function preferredNotificationText(kind: NotificationKind, reference: string, comune: string): string {
  switch (kind) {
    case 'taken_in_charge':
      return `La sua richiesta ${reference} è stata presa in carico da un operatore dell’URP del Comune di ${comune}. Le scriviamo qui come ha scelto nella sua area personale del portale.`;
    case 'resolved':
      return `La sua richiesta ${reference} è stata risolta. Grazie per aver contattato l’URP del Comune di ${comune}. Le scriviamo qui come ha scelto nella sua area personale del portale.`;
  }
}
