import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built into dist/, which the server serves at `/` (see packages/server/src/http/console.ts).
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
