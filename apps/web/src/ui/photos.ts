import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useTRPC } from "../trpc.ts";
import type { Photo } from "./PhotoGrid.tsx";

/** The scene a photo shows, in the current language ("На палубе яхты"): its alt text and caption. */
export function useSceneName(): (sceneId: string | null) => string | null {
  const trpc = useTRPC();
  const { i18n } = useTranslation();
  const scenes = useQuery({ ...trpc.scenes.list.queryOptions(), staleTime: Infinity });
  const lang = i18n.language === "en" ? "en" : "ru";
  const names = useMemo(() => new Map(scenes.data?.map((scene) => [scene.id, scene.name[lang]])), [scenes.data, lang]);
  return (sceneId) => (sceneId ? (names.get(sceneId) ?? null) : null);
}

/**
 * A photo's heart: shown at once, stored with the photo on the server (so every device and the
 * Mini App see it), and the lists that show favourites refreshed after.
 */
export function useFavourite(photo: Photo) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [wanted, setWanted] = useState<boolean | null>(null);
  const set = useMutation(
    trpc.favourites.set.mutationOptions({
      onSettled: async () => {
        await Promise.all([queryClient.invalidateQueries({ queryKey: trpc.photos.list.pathKey() }), queryClient.invalidateQueries({ queryKey: trpc.favourites.list.pathKey() })]);
        setWanted(null);
      },
    }),
  );
  const favourite = wanted ?? photo.favouritedAt !== null;
  const toggle = () => {
    setWanted(!favourite);
    set.mutate({ photoId: photo.id, favourite: !favourite });
  };
  return { favourite, toggle };
}
