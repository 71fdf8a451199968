import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { navigate, paths } from "../lib/router.ts";
import { useTRPC } from "../trpc.ts";
import { DemoNote } from "../ui/DemoNote.tsx";
import { PrimaryAction } from "../ui/PrimaryAction.tsx";
import { ScreenHeader } from "../ui/ScreenHeader.tsx";
import { Empty, ErrorState, Loading } from "../ui/states.tsx";

export default function StyleScreen({ avatarId }: { avatarId: number }) {
  const { t, i18n } = useTranslation();
  const trpc = useTRPC();
  const styles = useQuery(trpc.styles.list.queryOptions());
  const [chosen, setChosen] = useState<string | null>(null);
  const lang = i18n.language === "en" ? "en" : "ru";

  return (
    <section className="screen" aria-labelledby="style-title">
      <ScreenHeader step={2} title={t("style.title")} titleId="style-title" />
      <p className="lead">{t("style.lead")}</p>
      <DemoNote text={t("style.offline")} />
      {styles.isPending && <Loading />}
      {styles.isError && <ErrorState error={styles.error} onRetry={() => void styles.refetch()} />}
      {styles.isSuccess && styles.data.styles.length === 0 && <Empty>{t("style.empty")}</Empty>}
      {styles.isSuccess && styles.data.styles.length > 0 && (
        <fieldset className="choice-grid style-grid">
          <legend className="visually-hidden">{t("style.title")}</legend>
          {styles.data.styles.map((style) => (
            <label key={style.id} className={`choice style-choice${chosen === style.id ? " choice-selected" : ""}`} data-testid={`style-${style.id}`}>
              <input type="radio" name="style" value={style.id} checked={chosen === style.id} onChange={() => setChosen(style.id)} className="visually-hidden" />
              <span className="style-preview">
                <img src={style.previewUrl} alt="" loading="lazy" width={320} height={400} />
              </span>
              <span className="choice-title">{style.name[lang]}</span>
              <span className="choice-text">{style.description[lang]}</span>
            </label>
          ))}
        </fieldset>
      )}
      <PrimaryAction label={t("style.next")} disabled={!chosen} onClick={() => chosen && navigate(paths.tier(avatarId, chosen))} testId="style-next" />
    </section>
  );
}
