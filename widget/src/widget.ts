import { io, type Socket } from 'socket.io-client';
import type { CitizenMessageView, WebchatAvailability, WebchatClientEvents, WebchatServerEvents } from '@server/web/widget.api';
import css from './widget.css?inline';
import { fill, TEXTS, type Lang, type TextKey } from './texts';

/**
 * Sportello's web chat for a comune's website:
 *   <script src="https://sportello.example/widget.js" data-comune="bari" defer></script>
 * Everything lives in a shadow root, so the site's styles and the widget's do not touch.
 */
type CitizenMessage = CitizenMessageView;
type Availability = WebchatAvailability;

const ICON_CHAT =
  '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';
const ICON_PHOTO =
  '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M9 4 7.2 6H4a2 2 0 0 0-2 2v10a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V8a2 2 0 0 0-2-2h-3.2L15 4H9zm3 5a4 4 0 1 1 0 8 4 4 0 0 1 0-8z"/></svg>';
const ICON_PIN =
  '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M12 2a7 7 0 0 0-7 7c0 5.2 7 13 7 13s7-7.8 7-13a7 7 0 0 0-7-7zm0 9.5A2.5 2.5 0 1 1 12 6.5a2.5 2.5 0 0 1 0 5z"/></svg>';

const script = document.currentScript as HTMLScriptElement | null;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

class SportelloWidget {
  private lang: Lang;
  private readonly base: string;
  private readonly storageKey: string;
  private socket: Socket<WebchatServerEvents, WebchatClientEvents> | null = null;
  private token: string | null;
  private availability: Availability | null = null;
  private comuneName: string;
  private messages: CitizenMessage[] = [];
  private localPreviews = new Map<string, string>();
  private readUpTo = '';
  private typingSent = false;
  private typingTimer: number | undefined;
  private operatorTypingTimer: number | undefined;
  private readonly ui: Record<string, HTMLElement> = {};
  private readonly shadow: ShadowRoot;

  constructor(
    private readonly slug: string,
    base: string,
    lang: Lang,
  ) {
    this.base = base;
    this.lang = lang;
    this.comuneName = slug;
    this.storageKey = `sportello.webchat.${slug}`;
    this.token = this.read('token');
    const host = el('div', { id: 'sportello-webchat', 'data-comune': slug });
    this.shadow = host.attachShadow({ mode: 'open' });
    document.body.appendChild(host);
    this.render();
    if (this.read('open') === '1') void this.open();
  }

  private t(key: TextKey, vars: Record<string, string> = {}): string {
    return fill(TEXTS[this.lang][key], vars);
  }

  private read(k: string): string | null {
    try {
      return localStorage.getItem(`${this.storageKey}.${k}`);
    } catch {
      return null;
    }
  }
  private write(k: string, v: string | null): void {
    try {
      if (v === null) localStorage.removeItem(`${this.storageKey}.${k}`);
      else localStorage.setItem(`${this.storageKey}.${k}`, v);
    } catch {
      /* private mode */
    }
  }

  private render(): void {
    this.shadow.replaceChildren();
    const style = el('style');
    style.textContent = css;
    const root = el('div', { class: 'root', lang: this.lang });
    const launcher = el('button', { type: 'button', class: 'launcher', 'aria-expanded': 'false', 'aria-controls': 'sw-panel' });
    launcher.innerHTML = ICON_CHAT;
    launcher.append(el('span', {}, this.t('launcher')));
    launcher.addEventListener('click', () => void this.open());

    const panel = el('section', { id: 'sw-panel', class: 'panel', role: 'dialog', 'aria-labelledby': 'sw-title', hidden: '' });
    const head = el('header', { class: 'head' });
    const titles = el('div');
    titles.append(el('h2', { id: 'sw-title' }, this.t('title', { name: this.comuneName })), el('p', {}, this.t('subtitle')));
    const tools = el('div', { class: 'tools' });
    const langBtn = el(
      'button',
      { type: 'button', 'aria-label': this.t('switchLangLabel'), lang: this.lang === 'it' ? 'en' : 'it' },
      this.t('switchLang'),
    );
    langBtn.addEventListener('click', () => this.switchLang());
    const closeBtn = el('button', { type: 'button', class: 'x', 'aria-label': this.t('close') }, '×');
    closeBtn.addEventListener('click', () => this.close());
    tools.append(langBtn, closeBtn);
    head.append(titles, tools);

    const conn = el('p', { class: 'conn', role: 'status', hidden: '' }, this.t('reconnecting'));
    const notice = el('p', { class: 'notice', role: 'status', hidden: '' });
    const logBox = el('div', { class: 'log', role: 'log', 'aria-label': this.t('log'), 'aria-live': 'polite', tabindex: '0' });
    const log = el('ol', { class: 'items' });
    logBox.append(log);
    const typing = el('p', { class: 'typing', 'aria-live': 'polite' });

    const composer = el('form', { class: 'composer', novalidate: '' });
    const label = el('label', { for: 'sw-text', class: 'vh' }, this.t('inputLabel'));
    const text = el('textarea', { id: 'sw-text', rows: '2', maxlength: '4000', placeholder: this.t('placeholder') });
    const bar = el('div', { class: 'bar' });
    const file = el('input', {
      type: 'file',
      accept: 'image/jpeg,image/png,image/gif,image/webp',
      class: 'vh',
      tabindex: '-1',
      'aria-hidden': 'true',
      id: 'sw-file',
    });
    const photoBtn = el('button', { type: 'button', class: 'icon-btn', 'aria-label': this.t('photo'), title: this.t('photo') });
    photoBtn.innerHTML = ICON_PHOTO;
    const pinBtn = el('button', { type: 'button', class: 'icon-btn', 'aria-label': this.t('position'), title: this.t('position') });
    pinBtn.innerHTML = ICON_PIN;
    const send = el('button', { type: 'submit', class: 'send' }, this.t('send'));
    const error = el('p', { class: 'error', role: 'alert' });
    bar.append(photoBtn, pinBtn, send);
    composer.append(label, text, bar, file, error);
    photoBtn.addEventListener('click', () => file.click());
    file.addEventListener('change', () => {
      const f = file.files?.[0];
      file.value = '';
      if (f) void this.sendPhoto(f);
    });
    pinBtn.addEventListener('click', () => this.sharePosition());
    composer.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.sendText();
    });
    text.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        void this.sendText();
      }
    });
    text.addEventListener('input', () => this.onTyping());

    const leave = this.leaveForm();
    // Everything under the header: while the chat is live the log scrolls and the composer stays at
    // the bottom; outside office hours the whole body (banner, greeting, form) scrolls as one page.
    const body = el('div', { class: 'body' });
    body.append(notice, logBox, typing, composer, leave);
    panel.append(head, conn, body);
    root.append(launcher, panel);
    this.shadow.append(style, root);
    panel.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.close();
    });
    Object.assign(this.ui, {
      launcher,
      panel,
      body,
      conn,
      notice,
      log,
      logBox,
      typing,
      composer,
      text,
      error,
      leave,
      title: panel.querySelector('h2') as HTMLElement,
    });
    this.renderMessages();
    this.applyAvailability();
  }

  private leaveForm(): HTMLFormElement {
    const form = el('form', { class: 'leave', novalidate: '', hidden: '', 'aria-labelledby': 'sw-leave-intro' });
    const intro = el('p', { id: 'sw-leave-intro' }, this.t('leaveIntro'));
    /** A field with its label and its own error line, tied together for assistive technologies. */
    const field = <T extends HTMLElement>(
      input: T,
      labelText: string,
    ): { input: T; label: HTMLElement; error: HTMLElement; wrap: HTMLElement } => {
      const label = el('label', { for: input.id }, labelText);
      const error = el('p', { id: `${input.id}-error`, class: 'field-error', role: 'alert' });
      const wrap = el('div', { class: 'field' });
      wrap.append(label, input, error);
      return { input, label, error, wrap };
    };
    const m = field(
      el('textarea', { id: 'sw-leave-text', rows: '4', maxlength: '4000', required: '', 'aria-required': 'true' }),
      this.t('leaveMessage'),
    );
    const c = field(
      el('input', { id: 'sw-leave-contact', type: 'text', autocomplete: 'email', required: '', 'aria-required': 'true', maxlength: '254' }),
      this.t('leaveContact'),
    );
    const n = field(el('input', { id: 'sw-leave-name', type: 'text', autocomplete: 'name', maxlength: '120' }), this.t('leaveName'));
    const box = el('input', { type: 'checkbox', id: 'sw-consent', required: '', 'aria-required': 'true' });
    const check = el('label', { class: 'check', for: 'sw-consent' });
    check.append(box, el('span', {}, this.t('consent')));
    const consentError = el('p', { id: 'sw-consent-error', class: 'field-error', role: 'alert' });
    const consent = el('div', { class: 'field' });
    consent.append(check, consentError);
    const privacy = el(
      'a',
      { href: `${this.base}/demo/${encodeURIComponent(this.slug)}#privacy`, target: '_blank', rel: 'noopener' },
      this.t('privacyLink'),
    );
    const error = el('p', { class: 'error', role: 'alert' });
    const submit = el('button', { type: 'submit', class: 'send' }, this.t('leaveSubmit'));
    form.append(intro, m.wrap, c.wrap, n.wrap, consent, privacy, error, submit);

    const fields: Record<string, { input: HTMLElement; error: HTMLElement; name: string }> = {
      text: { input: m.input, error: m.error, name: this.t('leaveMessage') },
      contact: { input: c.input, error: c.error, name: this.t('leaveContact') },
      name: { input: n.input, error: n.error, name: this.t('leaveName') },
      privacyConsent: { input: box, error: consentError, name: this.t('privacyLink') },
    };
    const setError = (f: { input: HTMLElement; error: HTMLElement }, message: string): void => {
      f.error.textContent = message;
      if (message) {
        f.input.setAttribute('aria-invalid', 'true');
        f.input.setAttribute('aria-describedby', f.error.id);
      } else {
        f.input.removeAttribute('aria-invalid');
        f.input.removeAttribute('aria-describedby');
      }
    };
    // A corrected field loses its error at once.
    m.input.addEventListener('input', () => {
      if (m.input.value.trim()) setError(fields.text, '');
    });
    c.input.addEventListener('input', () => {
      if (c.input.value.trim()) setError(fields.contact, '');
    });
    box.addEventListener('change', () => {
      if (box.checked) setError(fields.privacyConsent, '');
    });

    form.addEventListener('submit', (e) => {
      e.preventDefault();
      error.textContent = '';
      const invalid: HTMLElement[] = [];
      for (const [f, empty] of [
        [fields.text, !m.input.value.trim()],
        [fields.contact, !c.input.value.trim()],
      ] as const) {
        setError(f, empty ? this.t('fieldRequired', { field: f.name }) : '');
        if (empty) invalid.push(f.input);
      }
      setError(fields.privacyConsent, box.checked ? '' : this.t('consentRequired'));
      if (!box.checked) invalid.push(box);
      if (invalid.length) {
        invalid[0].focus();
        return;
      }
      void this.leaveMessage(m.input.value.trim(), c.input.value.trim(), n.input.value.trim(), form, error, (apiField, message) => {
        const f = fields[apiField];
        if (!f) return false;
        setError(f, `${f.name}: ${message}`);
        f.input.focus();
        return true;
      });
    });
    return form;
  }

  private switchLang(): void {
    this.lang = this.lang === 'it' ? 'en' : 'it';
    this.write('lang', this.lang);
    const wasOpen = !this.ui.panel.hidden;
    this.render();
    if (wasOpen) this.showPanel();
    this.shadow.querySelector<HTMLElement>('.head button')?.focus();
  }

  private async open(): Promise<void> {
    this.showPanel();
    this.write('open', '1');
    this.connect();
    await this.checkAvailability();
    this.ui.text.focus();
  }

  private showPanel(): void {
    this.ui.panel.hidden = false;
    this.ui.launcher.setAttribute('aria-expanded', 'true');
    this.ui.launcher.hidden = true;
    this.markRead();
  }

  private close(): void {
    this.ui.panel.hidden = true;
    this.ui.launcher.hidden = false;
    this.ui.launcher.setAttribute('aria-expanded', 'false');
    this.write('open', null);
    this.ui.launcher.focus();
  }

  private async checkAvailability(): Promise<void> {
    try {
      const r = await fetch(`${this.base}/api/webchat/${encodeURIComponent(this.slug)}/availability`);
      if (!r.ok) return;
      this.availability = (await r.json()) as Availability;
      this.comuneName = this.availability.comune.name;
      this.ui.title.textContent = this.t('title', { name: this.comuneName });
      this.applyAvailability();
    } catch {
      /* offline: the chat still tries the socket */
    }
  }

  private applyAvailability(): void {
    const a = this.availability;
    const live = !a || a.live;
    this.ui.composer.hidden = !live;
    this.ui.leave.hidden = live;
    this.ui.notice.hidden = live;
    this.ui.panel.classList.toggle('closed', !live);
    if (!live && a) {
      const days = TEXTS[this.lang].days;
      const hours = Object.entries(a.openingHours)
        .map(([d, slots]) => `${days[d as keyof typeof days]} ${slots.map((s) => s.join('–')).join(', ')}`)
        .join('; ');
      this.ui.notice.textContent = `${a.open ? this.t('nobodyOnline') : this.t('closedNow')} ${hours ? this.t('hours', { hours }) : ''}`;
    }
  }

  private connect(): void {
    if (this.socket) return;
    const socket = io(`${this.base}/webchat`, {
      auth: (cb) => cb({ tenant: this.slug, sessionToken: this.token ?? undefined }),
      transports: ['websocket', 'polling'],
    });
    this.socket = socket;
    socket.on('connect', () => {
      this.ui.conn.hidden = true;
    });
    socket.on('disconnect', () => {
      this.ui.conn.hidden = false;
    });
    socket.on('connect_error', () => {
      this.ui.conn.hidden = false;
    });
    socket.on('session', (p) => {
      this.token = p.sessionToken;
      this.write('token', p.sessionToken);
      this.comuneName = p.comune.name;
      this.ui.title.textContent = this.t('title', { name: this.comuneName });
    });
    socket.on('history', (p) => {
      this.messages = p.messages;
      this.renderMessages();
      this.markRead();
    });
    socket.on('message', (m) => {
      this.add(m);
      this.setOperatorTyping(false);
      this.markRead();
    });
    socket.on('typing', (p) => this.setOperatorTyping(p.typing));
    socket.on('read', (p) => {
      this.readUpTo = p.upToMessageId;
      this.renderMessages();
    });
  }

  private add(m: CitizenMessage): void {
    if (this.messages.some((x) => x.id === m.id)) return;
    this.messages.push(m);
    this.renderMessages();
  }

  private renderMessages(): void {
    const log = this.ui.log;
    if (!log) return;
    log.replaceChildren();
    if (this.messages.length === 0) log.append(el('li', { class: 'msg system' }, this.t('welcome')));
    let lastRef = '';
    const lastMine = [...this.messages].reverse().find((m) => m.direction === 'inbound');
    for (const m of this.messages) {
      if (m.ticketReference && m.ticketReference !== lastRef) {
        log.append(el('li', { class: 'msg system' }, this.t('reference', { reference: m.ticketReference })));
        lastRef = m.ticketReference;
      }
      const mine = m.direction === 'inbound';
      const li = el('li', { class: `msg ${mine ? 'mine' : 'theirs'}`, 'data-id': m.id });
      li.append(el('span', { class: 'who' }, mine ? this.t('you') : (m.authorName ?? this.t('operator'))));
      // Text only, never markup: whatever anyone typed is shown exactly as typed.
      if (m.text) li.append(el('p', { class: 'text' }, m.text));
      for (const a of m.attachments) {
        const preview = this.localPreviews.get(m.id);
        if (preview && a.contentType.startsWith('image/')) li.append(el('img', { src: preview, alt: a.filename }));
        else li.append(el('span', { class: 'att' }, `📎 ${a.filename}`));
      }
      if (mine && m === lastMine && this.readUpTo && BigInt(m.id) <= BigInt(this.readUpTo))
        li.append(el('span', { class: 'state' }, this.t('read')));
      log.append(li);
    }
    this.ui.logBox.scrollTop = this.ui.logBox.scrollHeight;
  }

  private setOperatorTyping(on: boolean): void {
    window.clearTimeout(this.operatorTypingTimer);
    this.ui.typing.textContent = on ? this.t('operatorTyping') : '';
    if (on) this.operatorTypingTimer = window.setTimeout(() => this.setOperatorTyping(false), 6000);
  }

  private markRead(): void {
    if (!this.socket?.connected || this.ui.panel.hidden || document.visibilityState !== 'visible') return;
    const last = [...this.messages].reverse().find((m) => m.direction === 'outbound');
    if (last) this.socket.emit('read', { upToMessageId: last.id });
  }

  private onTyping(): void {
    if (!this.socket?.connected) return;
    if (!this.typingSent) {
      this.socket.emit('typing', { typing: true });
      this.typingSent = true;
    }
    window.clearTimeout(this.typingTimer);
    this.typingTimer = window.setTimeout(() => this.stopTyping(), 3000);
  }

  private stopTyping(): void {
    window.clearTimeout(this.typingTimer);
    if (this.typingSent) this.socket?.emit('typing', { typing: false });
    this.typingSent = false;
  }

  private clientId(): string {
    return `w-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  }

  private async emitMessage(payload: { text?: string; location?: { lat: number; lng: number } }): Promise<boolean> {
    const socket = this.socket;
    if (!socket) return false;
    const clientMessageId = this.clientId();
    // The same clientMessageId on a retry: the server stores the message once.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const ack = await socket.timeout(8000).emitWithAck('message', { ...payload, clientMessageId });
        if (!ack.ok) {
          this.ui.error.textContent = this.t('sendFailed', { error: ack.error.message });
          return false;
        }
        this.add({
          id: ack.messageId,
          direction: 'inbound',
          author: 'citizen',
          text: payload.text ?? null,
          createdAt: new Date().toISOString(),
          ticketReference: ack.ticketReference,
          attachments: [],
        });
        return true;
      } catch (err) {
        if (attempt === 2) this.ui.error.textContent = this.t('sendFailed', { error: (err as Error).message });
      }
    }
    return false;
  }

  private async sendText(): Promise<void> {
    const area = this.ui.text as HTMLTextAreaElement;
    const text = area.value.trim();
    if (!text) return;
    this.ui.error.textContent = '';
    this.stopTyping();
    area.value = '';
    if (!(await this.emitMessage({ text }))) area.value = text;
    area.focus();
  }

  private sharePosition(): void {
    this.ui.error.textContent = '';
    if (!navigator.geolocation) {
      this.ui.error.textContent = this.t('positionDenied');
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (pos) => void this.emitMessage({ text: this.t('positionText'), location: { lat: pos.coords.latitude, lng: pos.coords.longitude } }),
      () => {
        this.ui.error.textContent = this.t('positionDenied');
      },
      { enableHighAccuracy: true, timeout: 15000 },
    );
  }

  private async sendPhoto(file: File): Promise<void> {
    this.ui.error.textContent = '';
    if (!this.token) return;
    const clientMessageId = this.clientId();
    const url = `${this.base}/api/webchat/${encodeURIComponent(this.slug)}/photos?clientMessageId=${clientMessageId}&filename=${encodeURIComponent(file.name)}`;
    try {
      const r = await fetch(url, {
        method: 'POST',
        headers: { 'X-Webchat-Session': this.token, 'Content-Type': file.type || 'application/octet-stream' },
        body: file,
      });
      const data = await r.json().catch(() => ({}));
      if (!r.ok) {
        this.ui.error.textContent = this.t('sendFailed', { error: data?.fields?.[0]?.message ?? data?.message ?? r.statusText });
        return;
      }
      this.localPreviews.set(data.messageId, URL.createObjectURL(file));
      this.add({
        id: data.messageId,
        direction: 'inbound',
        author: 'citizen',
        text: null,
        createdAt: new Date().toISOString(),
        ticketReference: data.ticketReference,
        attachments: [{ filename: file.name, contentType: file.type }],
      });
    } catch (err) {
      this.ui.error.textContent = this.t('sendFailed', { error: (err as Error).message });
    }
  }

  private async leaveMessage(
    text: string,
    contact: string,
    name: string,
    form: HTMLFormElement,
    error: HTMLElement,
    fieldError: (field: string, message: string) => boolean,
  ): Promise<void> {
    if (!this.token) {
      this.connect();
      error.textContent = this.t('reconnecting');
      return;
    }
    try {
      const r = await fetch(`${this.base}/api/webchat/${encodeURIComponent(this.slug)}/leave-message`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          sessionToken: this.token,
          text,
          contact,
          name: name || undefined,
          privacyConsent: true,
          clientMessageId: this.clientId(),
        }),
      });
      const data = await r.json().catch(() => ({}));
      if (!r.ok) {
        const f = data?.fields?.[0];
        // A field the form shows gets the error by its input; any other is said at the bottom.
        if (!(f && fieldError(String(f.field), String(f.message))))
          error.textContent = f ? `${f.field}: ${f.message}` : (data?.message ?? r.statusText);
        return;
      }
      this.add({
        id: data.messageId,
        direction: 'inbound',
        author: 'citizen',
        text,
        createdAt: new Date().toISOString(),
        ticketReference: data.ticketReference,
        attachments: [],
      });
      form.replaceChildren(el('p', { role: 'status' }, this.t('leaveDone', { reference: data.ticketReference, contact })));
    } catch (err) {
      error.textContent = this.t('sendFailed', { error: (err as Error).message });
    }
  }
}

function boot(): void {
  const slug = script?.dataset.comune;
  if (!slug || !/^[a-z0-9-]{1,60}$/.test(slug)) {
    console.error('Sportello web chat: add data-comune="<slug>" to the script tag');
    return;
  }
  const base = script?.src ? new URL(script.src).origin : location.origin;
  let lang: Lang = 'it';
  try {
    const saved = localStorage.getItem(`sportello.webchat.${slug}.lang`);
    lang = saved === 'en' || saved === 'it' ? saved : script?.dataset.lang === 'en' ? 'en' : 'it';
  } catch {
    /* storage blocked */
  }
  new SportelloWidget(slug, base, lang);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
else boot();
