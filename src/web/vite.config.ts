// The console's build: src/web → dist/web, served by the API process at `/` (src/http/plugins/console.ts).
// Nothing is inlined into index.html (the Content-Security-Policy allows scripts and styles from the server only).
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 800,
  },
  // `npm run web:dev` against an API on the default port.
  server: { proxy: { '/api': 'http://127.0.0.1:8000' } },
});
