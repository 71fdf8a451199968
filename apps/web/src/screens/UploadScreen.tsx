import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type DragEvent, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { navigate, paths } from "../lib/router.ts";
import { previewable } from "../lib/imageSize.ts";
import { uploadReference } from "../lib/upload.ts";
import { useTRPC } from "../trpc.ts";
import { PrimaryAction } from "../ui/PrimaryAction.tsx";
import { ErrorState, Loading } from "../ui/states.tsx";
import { ScreenHeader } from "../ui/ScreenHeader.tsx";
import { errorText } from "../ui/errors.ts";

const parallelUploads = 2;
/** A file the server was too busy to check goes again after a few seconds (with jitter, so a crowd spreads out), this many times. */
const busyRetries = 6;
const busyRetryDelayMs = () => 2000 + Math.random() * 3000;

interface QueuedFile {
  key: string;
  file: File;
  preview: string;
  progress: number;
  state: "queued" | "uploading" | "waiting" | "refused";
  reason?: string;
  /** Times the server said it was too busy to check this file. */
  busyAttempts: number;
}

/** The selfie limits come from the server (references.limits), the one place they are enforced. */
export default function UploadScreen({ avatarId }: { avatarId: number }) {
  const trpc = useTRPC();
  const limits = useQuery(trpc.references.limits.queryOptions());
  if (limits.isError) return <ErrorState error={limits.error} onRetry={() => void limits.refetch()} />;
  if (!limits.data) return <Loading />;
  return <SelfieUploader avatarId={avatarId} minSelfies={limits.data.min} maxSelfies={limits.data.max} maxMegapixels={limits.data.maxMegapixels} />;
}

function SelfieUploader({ avatarId, minSelfies, maxSelfies, maxMegapixels }: { avatarId: number; minSelfies: number; maxSelfies: number; maxMegapixels: number }) {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const avatar = useQuery(trpc.avatars.get.queryOptions({ avatarId }));
  const references = useQuery(trpc.references.list.queryOptions({ avatarId }));
  const referencesKey = trpc.references.list.queryKey({ avatarId });
  const remove = useMutation(trpc.references.remove.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: referencesKey }) }));
  const [queue, setQueue] = useState<QueuedFile[]>([]);
  const [dragging, setDragging] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const uploaded = references.data?.length ?? 0;
  // Only good selfies count: one the face checks flagged as another person is shown, not counted.
  const good = references.data?.filter((reference) => reference.verdict !== "otherPerson").length ?? 0;
  const active = queue.filter((q) => q.state !== "refused");
  const refused = queue.filter((q) => q.state === "refused");

  const update = (key: string, change: Partial<QueuedFile>) => setQueue((all) => all.map((q) => (q.key === key ? { ...q, ...change } : q)));
  // A file whose header looked fine but whose pixels the browser cannot show gets the plain tile, never a broken image.
  const dropPreview = (item: QueuedFile) => {
    URL.revokeObjectURL(item.preview);
    update(item.key, { preview: "" });
  };

  // Feeds the queue to the server a couple at a time; each finished file frees a place for the next.
  useEffect(() => {
    const uploading = queue.filter((q) => q.state === "uploading").length;
    const next = queue.filter((q) => q.state === "queued").slice(0, Math.max(0, parallelUploads - uploading));
    for (const item of next) {
      update(item.key, { state: "uploading" });
      void uploadReference(avatarId, item.file, (progress) => update(item.key, { progress })).then(async (outcome) => {
        if (outcome.ok) {
          await queryClient.invalidateQueries({ queryKey: referencesKey });
          URL.revokeObjectURL(item.preview);
          setQueue((all) => all.filter((q) => q.key !== item.key));
        } else if (outcome.retry && item.busyAttempts < busyRetries) {
          update(item.key, { state: "waiting", progress: 0, busyAttempts: item.busyAttempts + 1 });
          setTimeout(() => update(item.key, { state: "queued" }), busyRetryDelayMs());
        } else {
          update(item.key, { state: "refused", reason: outcome.reason, progress: 0 });
        }
      });
    }
  }, [queue, avatarId, queryClient, referencesKey]);

  const addFiles = async (files: FileList | File[]) => {
    const room = maxSelfies - uploaded - active.length;
    const list = [...files];
    setNotice(list.length > room ? t("upload.tooMany", { max: maxSelfies }) : null);
    // A preview decodes every pixel: only files whose header we read and found within the server's limit get one.
    const added = await Promise.all(
      list.slice(0, Math.max(0, room)).map(async (file, i) => ({
        key: `${Date.now()}-${i}-${file.name}`,
        file,
        preview: (await previewable(file, maxMegapixels)) ? URL.createObjectURL(file) : "",
        progress: 0,
        state: "queued" as const,
        busyAttempts: 0,
      })),
    );
    setQueue((all) => [...all, ...added]);
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    if (event.dataTransfer.files.length > 0) void addFiles(event.dataTransfer.files);
  };

  const busy = active.length > 0;
  const enough = good >= minSelfies;

  return (
    <section className="screen" aria-labelledby="upload-title">
      <ScreenHeader step={1} title={t("upload.title")} titleId="upload-title" subtitle={avatar.data?.name} />
      <p className="lead">{t("upload.lead", { min: minSelfies, max: maxSelfies })}</p>

      <div
        className={`dropzone${dragging ? " dropzone-active" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        data-testid="dropzone"
      >
        <span className="dropzone-icon" aria-hidden="true">
          <svg viewBox="0 0 24 24" width="26" height="26" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
            <rect x="3" y="5" width="18" height="15" rx="3" />
            <circle cx="12" cy="12.5" r="3.5" />
            <path d="M8.5 5l1.2-2h4.6l1.2 2" />
          </svg>
        </span>
        <p className="dropzone-text">
          <strong>{t("upload.dropTitle")}</strong>
          <span className="muted hint-pointer">{t("upload.dropHintPointer")}</span>
          <span className="muted hint-touch">{t("upload.dropHintTouch")}</span>
          <span className="muted small">{t("upload.formats")}</span>
        </p>
        <button type="button" className="button button-primary" onClick={() => input.current?.click()} disabled={uploaded + active.length >= maxSelfies}>
          {t("upload.choose")}
        </button>
        {/* HEIC is left out on purpose: the server does not take it, and without it iOS hands over JPEG. */}
        <input
          ref={input}
          type="file"
          accept="image/jpeg,image/png,image/webp,image/avif"
          multiple
          className="visually-hidden"
          aria-label={t("upload.choose")}
          data-testid="file-input"
          onChange={(e) => {
            if (e.target.files) void addFiles(e.target.files);
            e.target.value = "";
          }}
        />
      </div>

      <p className="counter" aria-live="polite" data-testid="selfie-count">
        {good < minSelfies ? t("upload.goodCount", { good, min: minSelfies }) : t("upload.goodEnough", { good, max: maxSelfies })}
      </p>
      {notice && (
        <p className="form-error" role="alert">
          {notice}
        </p>
      )}

      {references.isPending && <Loading />}
      {references.isError && <ErrorState error={references.error} onRetry={() => void references.refetch()} />}
      {remove.isError && (
        <p className="form-error" role="alert">
          {errorText(remove.error, t)}
        </p>
      )}

      {refused.length > 0 && (
        <ul className="refused-list" aria-label={t("upload.refusedLabel")}>
          {refused.map((item) => (
            <li key={item.key} className="refused" data-testid="refused-file">
              {item.preview ? <img src={item.preview} alt="" width={44} height={44} className="refused-thumb" onError={() => dropPreview(item)} /> : <span className="refused-thumb refused-icon" aria-hidden="true">!</span>}
              <div className="refused-text" role="alert">
                <span className="refused-name">{item.file.name}</span>
                <span className="refused-reason" data-testid="refused-reason">
                  {item.reason}
                </span>
              </div>
              <button
                type="button"
                className="icon-button icon-button-small"
                aria-label={t("upload.dismiss", { name: item.file.name })}
                onClick={() => {
                  if (item.preview) URL.revokeObjectURL(item.preview);
                  setQueue((all) => all.filter((q) => q.key !== item.key));
                }}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}

      {(active.length > 0 || uploaded > 0) && (
        <ul className="selfie-grid" aria-label={t("upload.listLabel")}>
          {references.data?.map((reference, index) => (
            <li key={reference.id} className={`selfie${reference.verdict === "otherPerson" ? " selfie-flagged" : ""}`} data-testid="selfie">
              <img src={reference.thumbnailUrl ?? undefined} alt={t("upload.selfieAlt", { n: index + 1 })} loading="lazy" width={120} height={120} />
              {reference.verdict !== "unchecked" && (
                <span className={`selfie-verdict selfie-verdict-${reference.verdict}`} data-testid="selfie-verdict">
                  {reference.verdict === "ok" ? t("upload.verdictOk") : t("upload.verdictOtherPerson")}
                </span>
              )}
              <button
                type="button"
                className="selfie-remove"
                aria-label={t("upload.remove", { n: index + 1 })}
                onClick={() => remove.mutate({ referenceId: reference.id })}
                disabled={remove.isPending}
              >
                ×
              </button>
            </li>
          ))}
          {active.map((item) => (
            <li key={item.key} className={`selfie selfie-${item.state}`} data-testid="uploading-file">
              {item.preview ? <img src={item.preview} alt="" width={120} height={120} onError={() => dropPreview(item)} /> : <span className="selfie-file">{item.file.name}</span>}
              <progress className="selfie-progress" max={1} value={item.progress} aria-label={t("upload.progress", { name: item.file.name })} />
            </li>
          ))}
        </ul>
      )}

      <aside className="tips" aria-labelledby="tips-title">
        <h2 id="tips-title">{t("upload.tipsTitle")}</h2>
        <ul>
          {(t("upload.tips", { returnObjects: true }) as string[]).map((tip) => (
            <li key={tip}>{tip}</li>
          ))}
        </ul>
      </aside>

      <PrimaryAction
        label={enough ? t("upload.next") : t("upload.needMore", { count: minSelfies - good })}
        disabled={!enough || busy}
        onClick={() => navigate(paths.style(avatarId))}
        testId="upload-next"
      />
    </section>
  );
}
