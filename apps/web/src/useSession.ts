import { useMutation } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { deviceId, sessionToken, storeSession } from "./session.ts";
import { useTRPC } from "./trpc.ts";

/** Makes sure a signed session exists for this browser before any screen asks for data. */
export function useSession() {
  const trpc = useTRPC();
  const [ready, setReady] = useState(() => sessionToken() !== null);
  const start = useMutation(
    trpc.session.start.mutationOptions({
      onSuccess: (session) => {
        storeSession(session.token, session.expiresAt);
        setReady(true);
      },
    }),
  );
  const { mutate } = start;
  useEffect(() => {
    if (!ready) mutate({ deviceId: deviceId() });
  }, [ready, mutate]);

  if (ready) return { status: "ready" as const };
  if (start.isError) return { status: "error" as const, error: start.error.message, retry: () => mutate({ deviceId: deviceId() }) };
  return { status: "pending" as const };
}
