import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import type { TFunction } from "i18next";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { navigate, paths } from "../lib/router.ts";
import { telegramWebApp } from "../lib/telegram.ts";
import { useTRPC } from "../trpc.ts";
import { DemoNote } from "../ui/DemoNote.tsx";
import { PhotoGrid } from "../ui/PhotoGrid.tsx";
import { PrimaryAction } from "../ui/PrimaryAction.tsx";
import { ErrorState, Loading } from "../ui/states.tsx";

export default function GenerationScreen({ avatarId }: { avatarId: number }) {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const avatar = useQuery(trpc.avatars.get.queryOptions({ avatarId }));
  const jobId = avatar.data?.latestJob?.id;

  if (avatar.isPending) return <Loading />;
  if (avatar.isError) return <ErrorState error={avatar.error} onRetry={() => void avatar.refetch()} />;
  if (!jobId) {
    return (
      <section className="panel panel-neutral">
        <h1>{t("generation.noJobTitle")}</h1>
        <p>{t("generation.noJobText")}</p>
        <button type="button" className="button button-primary" onClick={() => navigate(paths.style(avatarId))}>
          {t("generation.chooseStyle")}
        </button>
      </section>
    );
  }
  return <JobProgress avatarId={avatarId} jobId={jobId} name={avatar.data.name} />;
}

function JobProgress({ avatarId, jobId, name }: { avatarId: number; jobId: number; name: string }) {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const job = useQuery(trpc.jobs.get.queryOptions({ jobId }));
  const photos = useQuery(trpc.photos.list.queryOptions({ avatarId, limit: 100 }));
  const [live, setLive] = useState<{ completed: number; total: number; status: string } | null>(null);
  const now = useNow(1000);

  const progress = useSubscription(
    trpc.generation.progress.subscriptionOptions(
      { jobId },
      {
        onData: (event) => {
          setLive({ completed: event.completedPhotos, total: event.totalPhotos, status: event.status });
          void queryClient.invalidateQueries({ queryKey: trpc.photos.list.queryKey({ avatarId, limit: 100 }) });
          if (event.status !== "processing") {
            void queryClient.invalidateQueries({ queryKey: trpc.avatars.list.pathKey() });
            void queryClient.invalidateQueries({ queryKey: trpc.avatars.get.queryKey({ avatarId }) });
          }
        },
      },
    ),
  );

  const completed = live?.completed ?? job.data?.completedPhotos ?? 0;
  const total = live?.total ?? job.data?.totalPhotos ?? 0;
  const status = live?.status ?? job.data?.status ?? "processing";
  const startedAt = job.data?.createdAt ? new Date(job.data.createdAt).getTime() : null;
  const secondsLeft = startedAt && completed > 0 && completed < total ? Math.round(((now - startedAt) / completed) * (total - completed) / 1000) : null;

  // The avatar may hold earlier photosets; this screen shows the one being made, oldest first, so each new
  // photo takes the next placeholder and nothing already on screen moves.
  const jobPhotos = (photos.data?.items.filter((photo) => photo.jobId === jobId) ?? []).sort((a, b) => a.id - b.id);
  const failed = Math.max(0, total - completed);

  if (job.isError) return <ErrorState error={job.error} onRetry={() => void job.refetch()} />;
  if (job.isPending) return <Loading />;

  return (
    <section className="screen" aria-labelledby="generation-title">
      <header className="screen-header">
        <p className="eyebrow">{name}</p>
        <h1 id="generation-title">{status === "processing" ? t("generation.title") : status === "completed" ? t("generation.doneTitle") : t("generation.failedTitle")}</h1>
      </header>
      <DemoNote />
      <div className="progress-card">
        <div className="progress-numbers">
          <strong data-testid="progress-count">{t("generation.count", { done: completed, total })}</strong>
          <span className="muted">{status === "processing" ? (secondsLeft === null ? t("generation.estimating") : formatLeft(t, secondsLeft)) : ""}</span>
        </div>
        <div className="progress-track" role="progressbar" aria-valuemin={0} aria-valuemax={total} aria-valuenow={completed} aria-valuetext={t("generation.count", { done: completed, total })} aria-label={t("generation.title")}>
          <div className="progress-fill" style={{ width: total ? `${(completed / total) * 100}%` : "0%" }} />
        </div>
        {status === "processing" && <p className="muted small">{t("generation.keepOpen")}</p>}
        {status === "completed" && <p className="muted small">{t("generation.doneText")}</p>}
        {status === "processing" && telegramWebApp() && (
          <p className="note" data-testid="telegram-note">
            <span className="note-icon" aria-hidden="true">i</span>
            {t("generation.telegramNote")}
          </p>
        )}
        {status === "failed" && <p className="form-error">{t("generation.failedText", { failed, total })}</p>}
        {progress.status === "error" && <p className="muted small">{t("generation.reconnecting")}</p>}
      </div>
      {total > 0 && <PhotoGrid photos={jobPhotos} placeholders={status === "processing" ? Math.max(0, total - jobPhotos.length) : 0} />}
      {status !== "processing" && <PrimaryAction label={t("generation.openGallery")} onClick={() => navigate(paths.gallery(avatarId), { replace: true })} testId="open-gallery" />}
    </section>
  );
}

function formatLeft(t: TFunction, seconds: number) {
  if (seconds < 60) return t("generation.leftUnderMinute");
  return t("generation.leftMinutes", { count: Math.ceil(seconds / 60) });
}

function useNow(everyMs: number) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
