import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The dev server proxies the API to a running leadforge (LEADFORGE_URL, default :8080).
const api = process.env.LEADFORGE_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', sourcemap: false, chunkSizeWarningLimit: 400 },
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
