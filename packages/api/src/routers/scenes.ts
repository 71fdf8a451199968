import { scenesByStyle } from "@pinglass/generation";
import { publicProcedure, router } from "../trpc.ts";

/** Every style's scenes by id with their names in both languages: what a photo shows, for its alt text and captions. */
export const scenesRouter = router({
  list: publicProcedure.query(() => Object.entries(scenesByStyle).flatMap(([styleId, scenes]) => scenes.map((scene) => ({ id: scene.id, styleId, name: scene.name })))),
});
