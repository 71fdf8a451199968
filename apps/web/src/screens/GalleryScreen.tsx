import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { navigate, paths } from "../lib/router.ts";
import { useTRPC } from "../trpc.ts";
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
  const queryClient = useQueryClient();
  // The ZIP link is signed and short-lived, so it is asked for at the moment of the click.
  const zip = useMutation({
    mutationFn: () => queryClient.fetchQuery({ ...trpc.photos.zipUrl.queryOptions({ avatarId }), staleTime: 0 }),
    onSuccess: ({ url }) => {
      if (!downloadInTelegram(url, "pinglass.zip")) window.location.assign(url);
    },
  });
  const items = photos.data?.pages.flatMap((page) => page.items) ?? [];

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
      {items.length > 0 && (
        <div className="toolbar">
          <button type="button" className="button" onClick={() => zip.mutate()} disabled={zip.isPending} data-testid="download-zip">
            {t("gallery.downloadAll")}
          </button>
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
      {items.length > 0 && <PhotoGrid photos={items} />}
      {photos.hasNextPage && (
        <button type="button" className="button button-wide" onClick={() => void photos.fetchNextPage()} disabled={photos.isFetchingNextPage}>
          {t("gallery.loadMore")}
        </button>
      )}
    </section>
  );
}
