import type { RouterOutputs } from "@pinglass/api";
import { lazy, Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { useFavourite, useSceneName } from "./photos.ts";

export type Photo = RouterOutputs["photos"]["list"]["items"][number];

const Lightbox = lazy(() => import("./Lightbox.tsx"));

/**
 * Thumbnails in fixed 4:5 cells (the renders' own shape), so nothing moves as images (or new photos) arrive; each cell
 * shimmers until its WebP thumbnail has loaded, then the image fades in from a blur. Photos still being made keep
 * their cell as a placeholder that says so. The lightbox follows a photo by its id, so photos that land while it is
 * open never change what it shows. Each photo is named by its scene and has a heart.
 */
export function PhotoGrid({ photos, placeholders = 0, label, testId = "photo-grid" }: { photos: Photo[]; placeholders?: number; label?: string; testId?: string }) {
  const { t } = useTranslation();
  const sceneName = useSceneName();
  const [openId, setOpenId] = useState<number | null>(null);
  const openIndex = openId === null ? -1 : photos.findIndex((photo) => photo.id === openId);
  return (
    <>
      <ul className="photo-grid" aria-label={label ?? t("gallery.gridLabel")} data-testid={testId}>
        {photos.map((photo, index) => (
          <li key={photo.id} className="photo-cell" data-photo-id={photo.id}>
            <button type="button" className="photo-button" onClick={() => setOpenId(photo.id)} data-testid="photo">
              <Thumbnail photo={photo} alt={sceneName(photo.sceneId) ?? t("gallery.photoAlt", { n: index + 1 })} />
            </button>
            <Heart photo={photo} />
          </li>
        ))}
        {Array.from({ length: placeholders }, (_, i) => (
          <li key={`pending-${photos.length + i}`} className={`photo-cell photo-pending${i === 0 ? " photo-pending-next" : ""}`} aria-hidden="true" data-testid="photo-pending">
            <span className="photo-pending-mark">{i === 0 ? <span className="spinner" /> : photos.length + i + 1}</span>
          </li>
        ))}
      </ul>
      {openIndex >= 0 && (
        <Suspense fallback={null}>
          <Lightbox photos={photos} index={openIndex} onIndex={(index) => setOpenId(photos[index]?.id ?? null)} onClose={() => setOpenId(null)} />
        </Suspense>
      )}
    </>
  );
}

/** A photo's heart: on a thumbnail's corner, or beside the lightbox's actions (an icon there too, so the row fits a phone). */
export function Heart({ photo, inLightbox = false }: { photo: Photo; inLightbox?: boolean }) {
  const { t } = useTranslation();
  const { favourite, toggle } = useFavourite(photo);
  return (
    <button
      type="button"
      className={`${inLightbox ? "button button-light heart-square" : "heart"}${favourite ? " heart-on" : ""}`}
      aria-pressed={favourite}
      aria-label={t("gallery.favourite")}
      onClick={toggle}
      data-testid="heart"
    >
      <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
        <path d="M12 20.5s-7.5-4.6-9.4-9.3C1.3 7.9 3.4 4.5 6.9 4.5c2.1 0 3.6 1.1 5.1 3 1.5-1.9 3-3 5.1-3 3.5 0 5.6 3.4 4.3 6.7-1.9 4.7-9.4 9.3-9.4 9.3z" fill={favourite ? "currentColor" : "none"} stroke="currentColor" strokeWidth="1.8" strokeLinejoin="round" />
      </svg>
    </button>
  );
}

function Thumbnail({ photo, alt }: { photo: Photo; alt: string }) {
  const [loaded, setLoaded] = useState(false);
  return (
    <>
      {!loaded && <span className="photo-shimmer" aria-hidden="true" />}
      <img
        src={photo.thumbnailUrl ?? undefined}
        alt={alt}
        loading="lazy"
        decoding="async"
        width={320}
        height={400}
        className={loaded ? "loaded" : ""}
        onLoad={() => setLoaded(true)}
      />
    </>
  );
}
