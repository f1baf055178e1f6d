# Sportello: one image for every role (SPORTELLO_ROLE=all|api|worker).
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV PUPPETEER_SKIP_DOWNLOAD=true
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# Chromium is used by the whatsapp-web.js channel (comuni without a WhatsApp Business account).
RUN apt-get update && apt-get install -y --no-install-recommends chromium ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production PUPPETEER_SKIP_DOWNLOAD=true STORAGE_DIR=/var/lib/sportello/storage
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/data ./data
COPY --from=build /app/agent-console/dist ./agent-console/dist
COPY --from=build /app/widget/dist ./widget/dist
RUN mkdir -p /var/lib/sportello/storage && chown -R node:node /var/lib/sportello
USER node
EXPOSE 3000
CMD ["node", "dist/main.js"]
