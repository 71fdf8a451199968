import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const api = process.env.PINGLASS_API ?? "http://localhost:3000";

export default defineConfig({
  plugins: [react()],
  server: { proxy: { "/trpc": api, "/media": api, "/uploads": api, "/webhooks": api, "/checkout": api } },
  build: { target: "es2022", sourcemap: false },
});
