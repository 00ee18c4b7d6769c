import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

// The dev server proxies the API to a running leadforge (LEADFORGE_URL, default :8080).
const api = process.env.LEADFORGE_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    sourcemap: false,
    // GraphiQL's editor alone is larger than the admin UI; it lives in its
    // own entry (graphiql.html) and is never loaded by the UI's pages.
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      input: {
        admin: fileURLToPath(new URL('index.html', import.meta.url)),
        graphiql: fileURLToPath(new URL('graphiql.html', import.meta.url)),
      },
    },
  },
  server: {
    proxy: {
      '/graphql/ws': { target: api.replace(/^http/, 'ws'), ws: true },
      '/graphql': api,
      '/blobs': api,
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
