import { localRendererLabel } from "./providers/local.ts";
import type { ImageProvider } from "./providers/types.ts";

/** Which provider makes the photos, as the app labels it. */
export interface ProviderInfo {
  name: ImageProvider["name"];
  /** True for the local renderer: the app marks its pictures as offline previews. */
  offline: boolean;
  label: { ru: string; en: string };
}

const remoteLabels: Record<Exclude<ImageProvider["name"], "local">, ProviderInfo["label"]> = {
  kie: { ru: "Kie.ai · Nano Banana Pro", en: "Kie.ai · Nano Banana Pro" },
  replicate: { ru: "Replicate", en: "Replicate" },
};

export function providerInfo(name: ImageProvider["name"]): ProviderInfo {
  return name === "local" ? { name, offline: true, label: localRendererLabel } : { name, offline: false, label: remoteLabels[name] };
}
