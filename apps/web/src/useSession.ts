import { useMutation } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { telegramWebApp } from "./lib/telegram.ts";
import { deviceId, keepDeviceId, sessionToken, storeSession } from "./session.ts";
import { useTRPC } from "./trpc.ts";

/**
 * Makes sure a signed session exists before any screen asks for data: inside Telegram from the
 * Mini App's signed initData (every launch, since it says who is using the app right now), in a
 * browser from this device's id, which every start replaces with the one the server returns.
 */
export function useSession() {
  const trpc = useTRPC();
  const initData = telegramWebApp()?.initData ?? null;
  const [ready, setReady] = useState(() => initData === null && sessionToken() !== null);
  const onSuccess = (session: { token: string; expiresAt: string }) => {
    storeSession(session.token, session.expiresAt);
    setReady(true);
  };
  const start = useMutation(
    trpc.session.start.mutationOptions({
      onSuccess: (session) => {
        keepDeviceId(session.deviceId);
        onSuccess(session);
      },
    }),
  );
  const telegram = useMutation(trpc.session.telegram.mutationOptions({ onSuccess }));
  const signIn = initData === null ? () => start.mutate({ deviceId: deviceId() }) : () => telegram.mutate({ initData });
  const attempt = initData === null ? start : telegram;
  const { mutate: startMutate } = start;
  const { mutate: telegramMutate } = telegram;

  useEffect(() => {
    if (ready) return;
    if (initData === null) startMutate({ deviceId: deviceId() });
    else telegramMutate({ initData });
  }, [ready, initData, startMutate, telegramMutate]);

  if (ready) return { status: "ready" as const };
  if (attempt.isError) return { status: "error" as const, error: attempt.error as unknown, retry: signIn };
  return { status: "pending" as const };
}
