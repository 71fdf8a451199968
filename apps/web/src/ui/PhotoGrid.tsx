import type { RouterOutputs } from "@pinglass/api";
import { lazy, Suspense, useState } from "react";
import { useTranslation } from "react-i18next";

export type Photo = RouterOutputs["photos"]["list"]["items"][number];

const Lightbox = lazy(() => import("./Lightbox.tsx"));

/**
 * Thumbnails in fixed 4:5 cells (the renders' own shape), so nothing moves as images (or new photos) arrive; each cell
 * shows a soft placeholder until its WebP thumbnail has loaded. Pending photos keep their cell.
 */
export function PhotoGrid({ photos, placeholders = 0 }: { photos: Photo[]; placeholders?: number }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<number | null>(null);
  return (
    <>
      <ul className="photo-grid" aria-label={t("gallery.gridLabel")}>
        {photos.map((photo, index) => (
          <li key={photo.id} className="photo-cell">
            <button type="button" className="photo-button" onClick={() => setOpen(index)} aria-label={t("gallery.open", { n: index + 1 })} data-testid="photo">
              <Thumbnail photo={photo} />
            </button>
          </li>
        ))}
        {Array.from({ length: placeholders }, (_, i) => (
          <li key={`pending-${i}`} className="photo-cell photo-pending" aria-hidden="true" />
        ))}
      </ul>
      {open !== null && (
        <Suspense fallback={null}>
          <Lightbox photos={photos} index={open} onIndex={setOpen} onClose={() => setOpen(null)} />
        </Suspense>
      )}
    </>
  );
}

function Thumbnail({ photo }: { photo: Photo }) {
  const [loaded, setLoaded] = useState(false);
  return (
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
  );
}
