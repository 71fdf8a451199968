import { scenesByStyle, styleIds } from "@pinglass/generation";
import { z } from "zod";
import { rest } from "../rest-meta.ts";
import { publicProcedure, router } from "../trpc.ts";

/** Every style's scenes by id with their names in both languages: what a photo shows, for its alt text and captions. */
export const scenesRouter = router({
  list: publicProcedure
    .meta(
      rest("GET", "/scenes", {
        tag: "Catalogue",
        summary: ["Scenes", "Сцены"],
        description: ["Every scene a photo can show (a photo's `sceneId`), with its style and its name in both languages.", "Все сцены, которые может показывать фото (`sceneId` фото), с их стилем и названием на обоих языках."],
        open: true,
      }),
    )
    .output(z.array(z.object({ id: z.string(), styleId: z.enum(styleIds), name: z.object({ ru: z.string(), en: z.string() }) })))
    .query(() => styleIds.flatMap((styleId) => scenesByStyle[styleId].map((scene) => ({ id: scene.id, styleId, name: scene.name })))),
});
