import { defineConfig } from 'vite';

/**
 * The citizen portal: built into portal/dist and served by the API at the site's root
 * (src/web/portal.controller.ts), its hashed assets under /_portal/.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: 'dist', emptyOutDir: true, assetsDir: '_portal', sourcemap: true, chunkSizeWarningLimit: 600 },
  server: { proxy: { '/api': 'http://localhost:3000', '/contatti': 'http://localhost:3000' } },
});
