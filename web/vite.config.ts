import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = `http://localhost:${process.env.PORT ?? '3000'}`;

/** The web app: built into web/dist and served by the Covalue server; in dev, Vite proxies the API to it. */
export default defineConfig(({ command }) => {
  // A build is always a production build, even when started from a test run (NODE_ENV=test):
  // otherwise React's development build would be bundled.
  if (command === 'build') process.env.NODE_ENV = 'production';
  return {
    root: fileURLToPath(new URL('.', import.meta.url)),
    plugins: [react()],
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      manifest: true,
      target: 'es2022',
      chunkSizeWarningLimit: 700,
    },
    server: {
      port: 5173,
      proxy: { '/api': api, '/healthz': api, '/readyz': api },
    },
  };
});
