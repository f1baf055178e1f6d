# Sportello: one image for every role (SPORTELLO_ROLE=all|api|worker).
# Production runs on the current Node.js LTS (26) on Debian stable (trixie); development and CI
# machines may still use Node.js 20.19+ (see README, "Supported Node.js versions").
FROM node:26-trixie-slim AS build
WORKDIR /app
# .puppeteerrc.cjs (skipDownload) must be beside package.json before `npm ci`: puppeteer's install
# script (a dependency of whatsapp-web.js) finds it there and downloads no browser.
COPY package.json package-lock.json .puppeteerrc.cjs ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:26-trixie-slim
# Chromium is used by the whatsapp-web.js channel (comuni without a WhatsApp Business account).
RUN apt-get update && apt-get install -y --no-install-recommends chromium ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production STORAGE_DIR=/var/lib/sportello/storage
COPY --from=build /app/package.json /app/.puppeteerrc.cjs ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/data ./data
COPY --from=build /app/agent-console/dist ./agent-console/dist
COPY --from=build /app/widget/dist ./widget/dist
COPY --from=build /app/portal/dist ./portal/dist
RUN mkdir -p /var/lib/sportello/storage && chown -R node:node /var/lib/sportello
USER node
EXPOSE 3000
CMD ["node", "dist/main.js"]
