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
