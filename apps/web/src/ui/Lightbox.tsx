import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Photo } from "./PhotoGrid.tsx";
import { sharePhoto } from "./share.ts";

interface Props {
  photos: Photo[];
  index: number;
  onIndex: (index: number) => void;
  onClose: () => void;
}

const swipeThresholdPx = 50;

/** One photo at full size: arrows and ←/→ to move, a horizontal swipe on touch, Esc to close. */
export default function Lightbox({ photos, index, onIndex, onClose }: Props) {
  const { t } = useTranslation();
  const dialog = useRef<HTMLDialogElement>(null);
  const touchStart = useRef<number | null>(null);
  const [shareNote, setShareNote] = useState<string | null>(null);
  const photo = photos[index]!;
  const go = (delta: number) => onIndex((index + delta + photos.length) % photos.length);

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  useEffect(() => setShareNote(null), [index]);

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
        <span className="lightbox-counter" data-testid="lightbox-counter">
          {t("gallery.position", { n: index + 1, total: photos.length })}
        </span>
        <button type="button" className="icon-button" onClick={onClose} aria-label={t("common.close")} autoFocus>
          ✕
        </button>
      </div>
      <figure className="lightbox-figure">
        <img src={photo.imageUrl ?? undefined} alt={t("gallery.photoAlt", { n: index + 1 })} draggable={false} />
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
        <a className="button" href={photo.downloadUrl ?? undefined} download data-testid="download-one">
          {t("gallery.download")}
        </a>
        <button type="button" className="button" onClick={() => void sharePhoto(photo).then((outcome) => setShareNote(outcome === "copied" ? t("gallery.copied") : null))}>
          {t("gallery.share")}
        </button>
        {shareNote && (
          <span className="muted small" role="status">
            {shareNote}
          </span>
        )}
      </div>
    </dialog>
  );
}
