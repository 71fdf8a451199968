import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { followTelegramLanguage } from "./i18n/index.ts";
import { applyTelegramLook, loadTelegramScript, telegramWebApp } from "./lib/telegram.ts";
import "./styles.css";
import { queryClient, TRPCProvider, trpcClient } from "./trpc.ts";

void loadTelegramScript().then(() => {
  const telegram = telegramWebApp();
  if (telegram) {
    applyTelegramLook(telegram);
    followTelegramLanguage(telegram.initDataUnsafe?.user?.language_code);
  }
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
          <App />
        </TRPCProvider>
      </QueryClientProvider>
    </StrictMode>,
  );
});
