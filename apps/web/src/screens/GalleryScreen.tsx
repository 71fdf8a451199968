import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { navigate, paths } from "../lib/router.ts";
import { useTRPC } from "../trpc.ts";
import { inPhotosetOrder } from "../lib/photoOrder.ts";
import { DemoNote } from "../ui/DemoNote.tsx";
import { PhotoGrid } from "../ui/PhotoGrid.tsx";
import { downloadInTelegram } from "../ui/share.ts";
import { Empty, ErrorState, Loading } from "../ui/states.tsx";
import { errorText } from "../ui/errors.ts";

export default function GalleryScreen({ avatarId }: { avatarId: number }) {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const avatar = useQuery(trpc.avatars.get.queryOptions({ avatarId }));
  const photos = useInfiniteQuery(
    trpc.photos.list.infiniteQueryOptions({ avatarId, limit: 60 }, { getNextPageParam: (page) => page.nextCursor ?? undefined }),
  );
  // The hearted photos come first, in the same order as everywhere; they are kept on the server, for every device.
  const favourites = useQuery(trpc.favourites.list.queryOptions({ avatarId, limit: 100 }));
  const queryClient = useQueryClient();
  // A ZIP link is signed and short-lived, so it is asked for at the moment of the click.
  const zip = useMutation({
    mutationFn: (which: "all" | "favourites") =>
      queryClient.fetchQuery({ ...(which === "all" ? trpc.photos.zipUrl.queryOptions({ avatarId }) : trpc.favourites.zipUrl.queryOptions({ avatarId })), staleTime: 0 }),
    onSuccess: ({ url }, which) => {
      if (!downloadInTelegram(url, which === "all" ? "pinglass.zip" : "pinglass-favourites.zip")) window.location.assign(url);
    },
  });
  const items = inPhotosetOrder(photos.data?.pages.flatMap((page) => page.items) ?? []);
  const hearted = inPhotosetOrder(favourites.data?.items ?? []);

  if (avatar.isError) return <ErrorState error={avatar.error} onRetry={() => void avatar.refetch()} />;
  return (
    <section className="screen" aria-labelledby="gallery-title">
      <div className="section-head">
        <div>
          <p className="eyebrow">{t("gallery.eyebrow")}</p>
          <h1 id="gallery-title">{avatar.data?.name ?? t("common.loading")}</h1>
          {photos.isSuccess && <p className="lead">{t("avatars.photos", { count: items.length })}</p>}
        </div>
      </div>
      <DemoNote />
      {items.length > 0 && (
        <div className="toolbar">
          <button type="button" className="button" onClick={() => zip.mutate("all")} disabled={zip.isPending} data-testid="download-zip">
            {t("gallery.downloadAll")}
          </button>
          {hearted.length > 0 && (
            <button type="button" className="button" onClick={() => zip.mutate("favourites")} disabled={zip.isPending} data-testid="download-favourites">
              {t("gallery.downloadFavourites")}
            </button>
          )}
          <button type="button" className="button button-primary" onClick={() => navigate(paths.style(avatarId))} data-testid="more-photos">
            {t("gallery.more")}
          </button>
        </div>
      )}
      {zip.isError && (
        <p className="form-error" role="alert">
          {errorText(zip.error, t)}
        </p>
      )}
      {photos.isPending && <Loading />}
      {photos.isError && <ErrorState error={photos.error} onRetry={() => void photos.refetch()} />}
      {photos.isSuccess && items.length === 0 && (
        <Empty
          action={
            <button type="button" className="button button-primary" onClick={() => navigate(avatar.data?.status === "processing" ? paths.generation(avatarId) : paths.upload(avatarId))}>
              {avatar.data?.status === "processing" ? t("gallery.watchProgress") : t("gallery.start")}
            </button>
          }
        >
          {t("gallery.empty")}
        </Empty>
      )}
      {hearted.length > 0 && (
        <>
          <h2 className="grid-title">
            {t("gallery.favouritesTitle")} <span className="muted">· {hearted.length}</span>
          </h2>
          <PhotoGrid photos={hearted} label={t("gallery.favouritesTitle")} testId="favourites-grid" />
          <h2 className="grid-title">{t("gallery.allTitle")}</h2>
        </>
      )}
      {items.length > 0 && <PhotoGrid photos={items} />}
      {photos.hasNextPage && (
        <button type="button" className="button button-wide" onClick={() => void photos.fetchNextPage()} disabled={photos.isFetchingNextPage}>
          {t("gallery.loadMore")}
        </button>
      )}
    </section>
  );
}
