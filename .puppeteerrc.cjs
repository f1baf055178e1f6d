/**
 * Puppeteer (a dependency of whatsapp-web.js) must never download a browser at install: Sportello
 * drives the system's Chromium (CHROMIUM_PATH, /usr/bin/chromium by default). Puppeteer finds this
 * file from its own install script by searching up from node_modules/puppeteer.
 */
module.exports = {
  skipDownload: true,
  chrome: { skipDownload: true },
  'chrome-headless-shell': { skipDownload: true },
  firefox: { skipDownload: true },
};
