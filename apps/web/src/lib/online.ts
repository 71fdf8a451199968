import { onlineManager } from "@tanstack/react-query";
import { useSyncExternalStore } from "react";

/**
 * Whether the device is online, as React Query sees it (the browser's online/offline events).
 * While it is offline, queries and mutations wait instead of failing, and carry on by themselves
 * once it is back; screens say so instead of showing a spinner that never ends.
 */
export function useOnline(): boolean {
  return useSyncExternalStore(
    (listener) => onlineManager.subscribe(listener),
    () => onlineManager.isOnline(),
  );
}
