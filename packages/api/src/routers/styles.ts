import { listStyles } from "@pinglass/generation";
import { stylesOutput } from "../outputs.ts";
import { rest } from "../rest-meta.ts";
import { publicProcedure, router } from "../trpc.ts";

export const stylesRouter = router({
  /** The catalogue, and which provider will render it (the app labels the offline renderer). */
  list: publicProcedure
    .meta(
      rest("GET", "/styles", {
        tag: "Catalogue",
        summary: ["Styles", "Стили"],
        description: ["The styles a photoset can have, in both languages, and which image provider renders them.", "Стили фотосета на обоих языках и какой провайдер изображений их рисует."],
        open: true,
      }),
    )
    .output(stylesOutput)
    .query(({ ctx }) => ({ styles: listStyles(), provider: ctx.deps.generation.provider })),
});
