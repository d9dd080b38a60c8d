import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The client lives in client/; `npm run build` writes client/dist, which the server serves on the same
// origin. `npx vite --config client/vite.config.ts` serves it in development, handing /api, /tiles and
// /fonts to a running server (WUYOU_SERVER, default http://127.0.0.1:3000).
const server = process.env.WUYOU_SERVER ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // MapLibre alone is ~1 MB minified; one chunk per dependency group keeps the warning meaningful.
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: {
      '/api': server,
      '/tiles': server,
      '/fonts': server,
    },
  },
});
