import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Photo } from "./PhotoGrid.tsx";
import { downloadInTelegram, shareableFile, sharePhoto, type ShareOutcome } from "./share.ts";

interface Props {
  photos: Photo[];
  index: number;
  onIndex: (index: number) => void;
  onClose: () => void;
}

const swipeThresholdPx = 50;

/** One photo at full size on an opaque backdrop: arrows and ←/→ to move, a horizontal swipe on touch, Esc to close. */
export default function Lightbox({ photos, index, onIndex, onClose }: Props) {
  const { t } = useTranslation();
  const dialog = useRef<HTMLDialogElement>(null);
  const touchStart = useRef<number | null>(null);
  const [shared, setShared] = useState<ShareOutcome | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const photo = photos[index]!;
  const imageUrl = photo.imageUrl ?? "";
  const shareUrl = new URL(imageUrl, window.location.href).toString();
  const go = (delta: number) => onIndex((index + delta + photos.length) % photos.length);

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  // Per photo: forget the last share note, fetch the file for the share sheet ahead of the tap, warm up the neighbours.
  useEffect(() => {
    setShared(null);
    setFile(null);
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
        <button type="button" className="icon-button" onClick={onClose} aria-label={t("common.close")} autoFocus>
          ✕
        </button>
      </div>
      <figure className="lightbox-figure">
        <img key={photo.id} src={photo.imageUrl ?? undefined} alt={t("gallery.photoAlt", { n: index + 1 })} draggable={false} />
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
        <button type="button" className="button button-light" onClick={() => void sharePhoto(shareUrl, file).then(setShared)} data-testid="share">
          {t("gallery.share")}
        </button>
      </div>
      <p className="lightbox-note" role="status">
        {shared === "copied" && t("gallery.copied")}
        {shared === "failed" && (
          <>
            {t("gallery.copyFailed")}{" "}
            <input className="lightbox-link" readOnly value={shareUrl} aria-label={t("gallery.link")} onFocus={(e) => e.currentTarget.select()} />
          </>
        )}
      </p>
    </dialog>
  );
}
