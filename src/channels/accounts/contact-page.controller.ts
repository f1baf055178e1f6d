import { Controller, Get, Inject, NotFoundException, Param, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import QRCode from 'qrcode';
import { Public } from '../../auth/auth.guard.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { ComuniService } from '../../comuni/comuni.service.js';
import { ChannelAccountsService } from './channel-accounts.service.js';

interface ContactEntry {
  key: string;
  title: string;
  text: string;
  link: string;
  linkLabel: string;
  qrLabel: string;
}

const T = {
  it: {
    title: (c: string) => `Contatta l’URP del Comune di ${c}`,
    intro:
      'Scriva all’Ufficio Relazioni con il Pubblico dall’app che preferisce. Inquadri il codice QR con la fotocamera del telefono oppure usi il collegamento.',
    whatsapp: 'WhatsApp',
    telegram: 'Telegram',
    webchat: 'Chat sul sito',
    whatsappText: (n: string) => `Scriva al numero WhatsApp ${n}.`,
    telegramText: (b: string) => `Apra il bot @${b} e premi «Avvia».`,
    webchatText: 'Chatti con un operatore da questa pagina o dal sito del Comune.',
    open: (what: string) => `Apri ${what}`,
    qr: (what: string) => `Codice QR per aprire ${what}`,
    other: 'English',
    hours: 'Gli operatori rispondono in orario d’ufficio; fuori orario il messaggio viene preso in carico il giorno lavorativo successivo.',
  },
  en: {
    title: (c: string) => `Contact the public relations office (URP) of ${c}`,
    intro: 'Write to the public relations office from the app you prefer. Scan the QR code with your phone camera or use the link.',
    whatsapp: 'WhatsApp',
    telegram: 'Telegram',
    webchat: 'Web chat',
    whatsappText: (n: string) => `Write to the WhatsApp number ${n}.`,
    telegramText: (b: string) => `Open the bot @${b} and press “Start”.`,
    webchatText: 'Chat with an operator from this page or from the comune’s website.',
    open: (what: string) => `Open ${what}`,
    qr: (what: string) => `QR code to open ${what}`,
    other: 'Italiano',
    hours: 'Operators answer during office hours; messages sent outside them are handled on the next working day.',
  },
};

/**
 * `GET /contatti/<slug>`: a comune's public contact page with QR codes for its WhatsApp number,
 * its Telegram bot and its web chat (Italian; `?lang=en` for English). The QR codes are made here,
 * as inline SVG, with a text link next to each for who cannot scan.
 */
@ApiExcludeController()
@Public()
@Controller('contatti')
export class ContactPageController {
  constructor(
    private readonly comuni: ComuniService,
    private readonly accounts: ChannelAccountsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get(':slug')
  async page(@Param('slug') slug: string, @Query('lang') lang: string | undefined, @Res() res: Response): Promise<void> {
    const comune = /^[a-z0-9-]{1,60}$/.test(slug) ? await this.comuni.findBySlug(slug) : null;
    if (!comune) throw new NotFoundException(`unknown comune "${slug}"`);
    const l = lang === 'en' ? 'en' : 'it';
    const t = T[l];
    const base = this.config.messaging.publicBaseUrl;
    const entries: ContactEntry[] = [];
    for (const a of await this.accounts.publicOf(comune.id)) {
      if (
        (a.channel === 'whatsapp' || a.channel === 'whatsapp-web') &&
        a.config.displayPhoneNumber &&
        !entries.some((e) => e.key === 'whatsapp')
      ) {
        const digits = String(a.config.displayPhoneNumber).replace(/\D/g, '');
        entries.push({
          key: 'whatsapp',
          title: t.whatsapp,
          text: t.whatsappText(String(a.config.displayPhoneNumber)),
          link: `https://wa.me/${digits}`,
          linkLabel: t.open(t.whatsapp),
          qrLabel: t.qr(t.whatsapp),
        });
      }
      if (a.channel === 'telegram' && a.config.botUsername && !entries.some((e) => e.key === 'telegram')) {
        entries.push({
          key: 'telegram',
          title: t.telegram,
          text: t.telegramText(String(a.config.botUsername)),
          link: `https://t.me/${a.config.botUsername}`,
          linkLabel: t.open(t.telegram),
          qrLabel: t.qr(t.telegram),
        });
      }
    }
    entries.push({
      key: 'webchat',
      title: t.webchat,
      text: t.webchatText,
      link: `${base}/contatti/${comune.slug}${l === 'en' ? '?lang=en' : ''}#chat`,
      linkLabel: t.open(t.webchat),
      qrLabel: t.qr(t.webchat),
    });

    const cards = await Promise.all(
      entries.map(async (e) => {
        const svg = await QRCode.toString(e.link, {
          type: 'svg',
          errorCorrectionLevel: 'M',
          margin: 2,
          color: { dark: '#000000', light: '#ffffff' },
        });
        const id = `qr-${e.key}`;
        return `<section class="card" aria-labelledby="h-${e.key}">
  <h2 id="h-${e.key}">${esc(e.title)}</h2>
  <p>${esc(e.text)}</p>
  <div class="qr" role="img" aria-labelledby="${id}"><span id="${id}" class="sr-only">${esc(e.qrLabel)}</span>${svg.replace('<svg ', '<svg aria-hidden="true" focusable="false" ')}</div>
  <p><a href="${esc(e.link)}" data-channel="${e.key}">${esc(e.linkLabel)}</a></p>
</section>`;
      }),
    );
    const other = l === 'it' ? `?lang=en` : '?';
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'self'; base-uri 'self'",
    );
    res.send(`<!doctype html>
<html lang="${l}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(t.title(comune.name))}</title>
<style>
  body { font-family: "Titillium Web", system-ui, sans-serif; margin: 0; color: #1a1a1a; background: #f5f5f0; line-height: 1.5; }
  header { background: #0066cc; color: #fff; padding: 1.5rem 1rem; }
  header a { color: #fff; }
  main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
  .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 1rem; }
  .card { background: #fff; border: 1px solid #5c6f82; border-radius: 4px; padding: 1rem; }
  .qr svg { width: 12rem; height: 12rem; display: block; }
  a { color: #004d99; font-weight: 600; }
  a:focus { outline: 3px solid #ff9900; outline-offset: 2px; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
</style>
</head>
<body>
<header>
  <p><a href="${other}" lang="${l === 'it' ? 'en' : 'it'}">${t.other}</a></p>
  <h1>${esc(t.title(comune.name))}</h1>
</header>
<main>
  <p>${esc(t.intro)}</p>
  <div class="cards">
${cards.join('\n')}
  </div>
  <p>${esc(t.hours)}</p>
</main>
<script src="/widget.js" data-comune="${esc(comune.slug)}" defer></script>
</body>
</html>`);
  }
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
