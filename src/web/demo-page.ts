import type { Comune } from '../comuni/comune.entity.js';

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/**
 * A stand-in for a comune's website, laid out like the sites built on the Italian PA design
 * system, with the one line a comune pastes to get the web chat.
 */
export function demoPage(comune: Pick<Comune, 'name' | 'slug'>): string {
  const name = escapeHtml(comune.name);
  return `<!doctype html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Comune di ${name} — sito dimostrativo</title>
<style>
  body { margin: 0; font-family: "Titillium Web", Geneva, Tahoma, sans-serif; color: #1a1a1a; background: #fff; }
  .slim { background: #004080; color: #fff; padding: .5rem 1.5rem; font-size: .875rem; }
  header.center { background: #0066cc; color: #fff; padding: 1.5rem; }
  header.center h1 { margin: 0; font-size: 2rem; font-weight: 700; }
  header.center p { margin: .25rem 0 0; }
  nav { background: #0066cc; border-top: 1px solid rgba(255,255,255,.3); padding: 0 1.5rem; }
  nav a { color: #fff; display: inline-block; padding: .75rem 1rem .75rem 0; text-decoration: none; font-weight: 600; }
  nav a:hover, nav a:focus { text-decoration: underline; }
  main { max-width: 960px; margin: 0 auto; padding: 2rem 1.5rem 8rem; }
  main h2 { color: #004080; }
  .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 1rem; }
  .card { border: 1px solid #d9dadb; border-radius: 4px; padding: 1rem; box-shadow: 0 2px 8px rgba(0,0,0,.06); }
  .card h3 { margin-top: 0; font-size: 1.125rem; color: #004080; }
  footer { background: #004080; color: #fff; padding: 1.5rem; font-size: .875rem; }
  code { background: #f2f7fc; padding: .125rem .25rem; border-radius: 3px; color: #1a1a1a; }
</style>
</head>
<body>
<div class="slim">Città Metropolitana di Bari</div>
<header class="center"><h1>Comune di ${name}</h1><p>Sito dimostrativo di Sportello, l'URP digitale</p></header>
<nav aria-label="Menu principale"><a href="#servizi">Servizi</a><a href="#notizie">Notizie</a><a href="#contatti">Contatti</a></nav>
<main id="contenuto">
  <h2 id="servizi">Servizi al cittadino</h2>
  <div class="cards">
    <div class="card"><h3>Anagrafe</h3><p>Certificati, carta d'identità elettronica, cambi di residenza.</p></div>
    <div class="card"><h3>Tributi</h3><p>TARI, IMU, pagamenti con pagoPA.</p></div>
    <div class="card"><h3>Segnalazioni</h3><p>Un lampione spento, una buca: scrivici dalla chat con una foto e la posizione.</p></div>
  </div>
  <h2 id="contatti">Parla con l'URP</h2>
  <p>Usa il pulsante <strong>«Scrivi al Comune»</strong> in basso a destra. Questa pagina lo ottiene con una sola riga:</p>
  <p><code>&lt;script src="/widget.js" data-comune="${escapeHtml(comune.slug)}" defer&gt;&lt;/script&gt;</code></p>
  <h2 id="privacy">Informativa privacy (sintesi)</h2>
  <p>I dati che scrivi nella chat sono trattati dal Comune di ${name}, titolare del trattamento, solo per rispondere alla tua richiesta e tenerti aggiornato sul contatto che indichi (art. 6.1.e GDPR). Sono conservati per il tempo necessario alla pratica; puoi chiederne copia o la cancellazione all'URP.</p>
</main>
<footer>Comune di ${name} — pagina dimostrativa, i contenuti non sono ufficiali.</footer>
<script src="/widget.js" data-comune="${escapeHtml(comune.slug)}" defer></script>
</body>
</html>`;
}
