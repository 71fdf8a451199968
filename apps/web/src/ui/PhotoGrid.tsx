import type { RouterOutputs } from "@pinglass/api";
import { lazy, Suspense, useState } from "react";
import { useTranslation } from "react-i18next";

export type Photo = RouterOutputs["photos"]["list"]["items"][number];

const Lightbox = lazy(() => import("./Lightbox.tsx"));

/**
 * Thumbnails in fixed 4:5 cells (the renders' own shape), so nothing moves as images (or new photos) arrive; each cell
 * shimmers until its WebP thumbnail has loaded, then the image fades in from a blur. Photos still being made keep
 * their cell as a placeholder that says so. The lightbox follows a photo by its id, so photos that land while it is
 * open never change what it shows.
 */
export function PhotoGrid({ photos, placeholders = 0 }: { photos: Photo[]; placeholders?: number }) {
  const { t } = useTranslation();
  const [openId, setOpenId] = useState<number | null>(null);
  const openIndex = openId === null ? -1 : photos.findIndex((photo) => photo.id === openId);
  return (
    <>
      <ul className="photo-grid" aria-label={t("gallery.gridLabel")}>
        {photos.map((photo, index) => (
          <li key={photo.id} className="photo-cell" data-photo-id={photo.id}>
            <button type="button" className="photo-button" onClick={() => setOpenId(photo.id)} aria-label={t("gallery.open", { n: index + 1 })} data-testid="photo">
              <Thumbnail photo={photo} />
            </button>
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

function Thumbnail({ photo }: { photo: Photo }) {
  const [loaded, setLoaded] = useState(false);
  return (
    <>
      {!loaded && <span className="photo-shimmer" aria-hidden="true" />}
      <img
        src={photo.thumbnailUrl ?? undefined}
        alt=""
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
