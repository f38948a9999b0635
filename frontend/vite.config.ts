/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev` serves the frontend on :5173 and proxies /api to a running
// `tenet serve` (default http://localhost:8080, override with TENET_API).
export default defineConfig({
  plugins: [react()],
  server: {
    proxy: { '/api': { target: process.env.TENET_API ?? 'http://localhost:8080', changeOrigin: false } },
  },
  test: { environment: 'jsdom', globals: true, setupFiles: ['./src/test-setup.ts'], css: false, include: ['src/**/*.test.{ts,tsx}'] },
});
