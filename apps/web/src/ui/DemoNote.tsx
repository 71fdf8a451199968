import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useTRPC } from "../trpc.ts";

/**
 * With the offline renderer (no AI provider configured) every photo is a preview drawn by the
 * server: said calmly at the top of each screen that shows them, in the person's language.
 */
export function DemoNote({ text }: { text?: string }) {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const offline = useQuery(trpc.styles.list.queryOptions()).data?.provider.offline;
  if (!offline) return null;
  return (
    <p className="note" data-testid="demo-note">
      <span className="note-icon" aria-hidden="true">i</span>
      <span>{text ?? t("demo.note")}</span>
    </p>
  );
}
