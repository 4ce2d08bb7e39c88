import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));

// Built by `vite build ui` into ui/dist, which the API serves at / (every non-/api path
// gets index.html, so client-side routes survive a reload). `vite ui` runs a dev server
// that forwards /api to a FlowDesk API on the default port.
export default defineConfig({
  root,
  base: '/',
  // Dependencies live in the repository root; keep Vite's cache there too, not in ui/.
  cacheDir: path.join(root, '..', 'node_modules', '.vite'),
  plugins: [react()],
  build: {
    outDir: path.join(root, 'dist'),
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', changeOrigin: false },
    },
  },
});
