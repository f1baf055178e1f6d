import type { Lang } from '../../i18n';

const dict = {
  mapLabel: { it: 'Mappa dell’ipotesi', en: 'Map of the hypothesis' },
  mapHelp: {
    it: 'La mappa mostra l’area dell’ipotesi, le alternative e le osservazioni dei cittadini; gli stessi contenuti sono elencati qui sotto.',
    en: 'The map shows the area of the hypothesis, the alternatives and the citizens’ remarks; the same content is listed below.',
  },
  alternatives: { it: 'Le alternative', en: 'The alternatives' },
  preferences: { it: '{n} preferenze', en: '{n} preferences' },
  choose: { it: 'Quale alternativa preferisci?', en: 'Which alternative do you prefer?' },
  chooseHelp: {
    it: 'Una preferenza per persona, con SPID o CIE. Puoi cambiarla finché la consultazione è aperta.',
    en: 'One preference per person, with SPID or CIE. You can change it while the consultation is open.',
  },
  send: { it: 'Esprimi la preferenza', en: 'Give your preference' },
  yourChoice: { it: 'La tua preferenza: {title}', en: 'Your preference: {title}' },
  change: { it: 'Cambia preferenza', en: 'Change preference' },
  needChoice: { it: 'Scegli un’alternativa', en: 'Choose an alternative' },
  documents: { it: 'Documenti', en: 'Documents' },
  remarks: { it: 'Osservazioni sui luoghi', en: 'Remarks on places' },
  noRemarks: { it: 'Ancora nessuna osservazione.', en: 'No remarks yet.' },
  remarkTitle: { it: 'Lascia un’osservazione su un luogo', en: 'Leave a remark on a place' },
  remarkText: { it: 'La tua osservazione', en: 'Your remark' },
  remarkPlace: { it: 'Il luogo: tocca la mappa o usa le frecce', en: 'The place: tap the map or use the arrow keys' },
  remarkNoPlace: { it: 'Indica il luogo sulla mappa', en: 'Mark the place on the map' },
  remarkOutside: { it: 'Il punto è fuori dal territorio del comune', en: 'The point is outside the comune' },
  remarkSend: { it: 'Invia l’osservazione', en: 'Send the remark' },
  remarkSent: { it: 'Grazie: la tua osservazione è sulla mappa.', en: 'Thank you: your remark is on the map.' },
  closed: { it: 'La consultazione è chiusa: {reason}', en: 'The consultation is closed: {reason}' },
  loading: { it: 'Caricamento della mappa…', en: 'Loading the map…' },
  error: { it: 'Non è stato possibile completare l’operazione: {message}', en: 'The operation could not be completed: {message}' },
  by: { it: 'di {name}', en: 'by {name}' },
} as const;

export type PlanningKey = keyof typeof dict;

export function pt(lang: Lang, key: PlanningKey, vars: Record<string, string | number> = {}): string {
  return dict[key][lang].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}
