import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { compression } from "vite-plugin-compression2";

const api = process.env.PINGLASS_API ?? "http://localhost:3000";

export default defineConfig({
  plugins: [
    react(),
    // .br and .gz next to each text file of 1 KB or more, made once at build time at the highest
    // levels (brotli 11, gzip 9) and kept only when smaller; the server sends them to browsers that accept them.
    compression({ include: /\.(js|css|svg|html|json)$/, threshold: 1024, algorithms: ["brotliCompress", "gzip"] }),
  ],
  server: { proxy: { "/trpc": api, "/media": api, "/uploads": api, "/webhooks": api, "/checkout": api } },
  build: { target: "es2022", sourcemap: false },
});
