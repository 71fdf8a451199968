import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useTRPC } from "../trpc.ts";
import { errorText } from "./errors.ts";
import { Heart, type Photo } from "./PhotoGrid.tsx";
import { useSceneName } from "./photos.ts";
import { downloadInTelegram, shareableFile, shareFile, shareLink, type ShareOutcome } from "./share.ts";

interface Props {
  photos: Photo[];
  index: number;
  onIndex: (index: number) => void;
  onClose: () => void;
}

const swipeThresholdPx = 50;

/**
 * One photo at full size on an opaque backdrop: arrows and ←/→ to move, a horizontal swipe on touch, Esc to close.
 * Share sends the file itself where the system share sheet takes files (phones), and otherwise a link to the photo's
 * share page, which works for 30 days unless its owner stops sharing here.
 */
export default function Lightbox({ photos, index, onIndex, onClose }: Props) {
  const { t, i18n } = useTranslation();
  const dialog = useRef<HTMLDialogElement>(null);
  const touchStart = useRef<number | null>(null);
  const [shared, setShared] = useState<ShareOutcome | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const photo = photos[index]!;
  const imageUrl = photo.imageUrl ?? "";
  const go = (delta: number) => onIndex((index + delta + photos.length) % photos.length);
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const offline = useQuery(trpc.styles.list.queryOptions()).data?.provider.offline;
  const scene = useSceneName()(photo.sceneId);
  const statusKey = trpc.shares.status.queryKey({ photoId: photo.id });
  const sharedUntil = useQuery(trpc.shares.status.queryOptions({ photoId: photo.id })).data?.sharedUntil ?? null;
  const link = useMutation(
    trpc.shares.create.mutationOptions({
      onSuccess: async ({ url }) => {
        setShared(await shareLink(url));
        await queryClient.invalidateQueries({ queryKey: statusKey });
      },
    }),
  );
  const revoke = useMutation(trpc.shares.revoke.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: statusKey }) }));
  const until = sharedUntil ? new Date(sharedUntil).toLocaleDateString(i18n.language === "en" ? "en-GB" : "ru-RU", { day: "numeric", month: "long", year: "numeric" }) : null;

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  // Per photo: forget the last share note, fetch the file for the share sheet ahead of the tap, warm up the neighbours.
  useEffect(() => {
    setShared(null);
    setFile(null);
    link.reset();
    revoke.reset();
    let current = true;
    if (imageUrl) {
      shareableFile(imageUrl, `pinglass-${photo.id}`)
        .then((made) => current && setFile(made))
        .catch(() => undefined);
    }
    for (const near of [photos[(index + 1) % photos.length], photos[(index - 1 + photos.length) % photos.length]]) {
      if (near?.imageUrl) new Image().src = near.imageUrl;
    }
    return () => {
      current = false;
    };
    // Once per photo: the list itself changes as photos land, which must not refetch.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [photo.id]);

  return (
    <dialog
      ref={dialog}
      className="lightbox"
      aria-label={t("gallery.viewer", { n: index + 1, total: photos.length })}
      data-testid="lightbox"
      onClose={onClose}
      onKeyDown={(e) => {
        if (e.key === "ArrowRight") go(1);
        if (e.key === "ArrowLeft") go(-1);
      }}
      onPointerDown={(e) => {
        touchStart.current = e.clientX;
      }}
      onPointerUp={(e) => {
        if (touchStart.current === null) return;
        const dx = e.clientX - touchStart.current;
        touchStart.current = null;
        if (Math.abs(dx) > swipeThresholdPx) go(dx < 0 ? 1 : -1);
      }}
    >
      <div className="lightbox-top">
        <span className="lightbox-counter" data-testid="lightbox-counter" aria-live="polite">
          {t("gallery.position", { n: index + 1, total: photos.length })}
        </span>
        {offline && <span className="lightbox-demo" data-testid="lightbox-demo">{t("demo.badge")}</span>}
        <button type="button" className="icon-button" onClick={onClose} aria-label={t("common.close")} autoFocus>
          ✕
        </button>
      </div>
      <figure className="lightbox-figure">
        <img key={photo.id} src={photo.imageUrl ?? undefined} alt={scene ?? t("gallery.photoAlt", { n: index + 1 })} draggable={false} />
        {scene && <figcaption className="lightbox-caption">{scene}</figcaption>}
      </figure>
      {photos.length > 1 && (
        <>
          <button type="button" className="lightbox-nav lightbox-prev" onClick={() => go(-1)} aria-label={t("gallery.previous")}>
            ‹
          </button>
          <button type="button" className="lightbox-nav lightbox-next" onClick={() => go(1)} aria-label={t("gallery.next")}>
            ›
          </button>
        </>
      )}
      <div className="lightbox-actions">
        <a
          className="button button-light"
          href={photo.downloadUrl ?? undefined}
          download
          data-testid="download-one"
          onClick={(e) => {
            if (photo.downloadUrl && downloadInTelegram(photo.downloadUrl, `pinglass-${photo.id}.jpg`)) e.preventDefault();
          }}
        >
          {t("gallery.download")}
        </a>
        <button
          type="button"
          className="button button-light"
          onClick={() => (file ? void shareFile(file).then(setShared) : link.mutate({ photoId: photo.id }))}
          disabled={link.isPending}
          data-testid="share"
        >
          {t("gallery.share")}
        </button>
        <Heart photo={photo} inLightbox />
      </div>
      <div className="lightbox-note" role="status" data-testid="share-note">
        {shared === "copied" && <p>{t("gallery.copied")}</p>}
        {shared === "failed" && link.data && (
          <p>
            {t("gallery.copyFailed")}{" "}
            <input className="lightbox-link" readOnly value={link.data.url} aria-label={t("gallery.link")} onFocus={(e) => e.currentTarget.select()} data-testid="share-link" />
          </p>
        )}
        {(link.isError || revoke.isError) && <p className="form-error">{errorText(link.error ?? revoke.error, t)}</p>}
        {until ? (
          <p>
            {t("gallery.sharedUntil", { date: until })}{" "}
            <button type="button" className="link-button" onClick={() => revoke.mutate({ photoId: photo.id })} disabled={revoke.isPending} data-testid="stop-sharing">
              {t("gallery.stopSharing")}
            </button>
          </p>
        ) : (
          file && (
            <button type="button" className="link-button" onClick={() => link.mutate({ photoId: photo.id })} disabled={link.isPending} data-testid="share-as-link">
              {t("gallery.shareLink")}
            </button>
          )
        )}
        {revoke.isSuccess && !until && <p>{t("gallery.stoppedSharing")}</p>}
      </div>
    </dialog>
  );
}
