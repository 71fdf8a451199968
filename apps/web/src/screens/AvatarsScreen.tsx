import type { RouterOutputs } from "@pinglass/api";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TFunction } from "i18next";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useOnline } from "../lib/online.ts";
import { navigate, paths } from "../lib/router.ts";
import { useTRPC } from "../trpc.ts";
import { ConfirmDialog } from "../ui/ConfirmDialog.tsx";
import { Link } from "../ui/Link.tsx";
import { Empty, ErrorState, Offline } from "../ui/states.tsx";
import { PaidPhotosetBanner } from "./PaidPhotosetBanner.tsx";
import { errorText } from "../ui/errors.ts";

type Avatar = RouterOutputs["avatars"]["list"]["items"][number];

/** Where a card leads: a draft needs selfies, a generating avatar shows progress, a ready one its gallery. */
export function avatarPath(avatar: Pick<Avatar, "id" | "status">) {
  if (avatar.status === "processing") return paths.generation(avatar.id);
  if (avatar.status === "ready") return paths.gallery(avatar.id);
  return paths.upload(avatar.id);
}

export function AvatarsScreen() {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const online = useOnline();
  // Fresh on every visit (the selfies just added, the photos just made); while a photoset is being made, its card's counter keeps up without a reload.
  const avatars = useInfiniteQuery({
    ...trpc.avatars.list.infiniteQueryOptions({ limit: 20 }, { getNextPageParam: (page) => page.nextCursor ?? undefined }),
    staleTime: 0,
    refetchInterval: (query) => (query.state.data?.pages.some((page) => page.items.some((avatar) => avatar.status === "processing")) ? 3000 : false),
  });
  const items = avatars.data?.pages.flatMap((page) => page.items) ?? [];
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.avatars.list.pathKey() });
  const create = useMutation(
    trpc.avatars.create.mutationOptions({
      onSuccess: async (avatar) => {
        await invalidate();
        navigate(paths.upload(avatar.id));
      },
    }),
  );

  return (
    <section aria-labelledby="avatars-title" className="screen">
      <PaidPhotosetBanner />
      <div className="section-head">
        <div>
          <h1 id="avatars-title">{t("avatars.title")}</h1>
          <p className="lead">{t("avatars.lead")}</p>
        </div>
        <button type="button" className="button button-primary" onClick={() => create.mutate({})} disabled={create.isPending} data-testid="create-avatar">
          <span aria-hidden="true" className="plus">+</span> {t("avatars.create")}
        </button>
      </div>
      {create.isError && (
        <p className="form-error" role="alert">
          {errorText(create.error, t)}
        </p>
      )}
      {avatars.isPending && (online ? <AvatarSkeletons /> : <Offline />)}
      {avatars.isError && <ErrorState error={avatars.error} onRetry={() => void avatars.refetch()} />}
      {avatars.isSuccess && items.length === 0 && (
        <Empty>
          <span className="empty-art" aria-hidden="true">✦</span>
          {t("avatars.empty")}
        </Empty>
      )}
      {avatars.isSuccess && items.length > 0 && (
        <ul className="avatar-grid">
          {items.map((avatar) => (
            <AvatarCard key={avatar.id} avatar={avatar} onChanged={invalidate} />
          ))}
        </ul>
      )}
      {avatars.hasNextPage && (
        <button type="button" className="button button-wide" onClick={() => void avatars.fetchNextPage()} disabled={avatars.isFetchingNextPage}>
          {t("avatars.loadMore")}
        </button>
      )}
    </section>
  );
}

/** What a draft has and what it lacks: "3 селфи · нужно ещё 2", or that its style comes next. */
function draftProgress(t: TFunction, selfies: number, min: number | undefined) {
  if (selfies === 0) return t("avatars.draftNone");
  if (min !== undefined && selfies < min) return t("avatars.draftNeedMore", { count: selfies, missing: min - selfies });
  return t("avatars.draftReady", { count: selfies });
}

function AvatarSkeletons() {
  const { t } = useTranslation();
  return (
    <ul className="avatar-grid" aria-busy="true" aria-label={t("common.loading")}>
      {[0, 1].map((i) => (
        <li key={i} className="avatar-card skeleton-card">
          <div className="avatar-thumb skeleton" />
          <div className="avatar-body">
            <div className="skeleton skeleton-line" />
            <div className="skeleton skeleton-line short" />
          </div>
        </li>
      ))}
    </ul>
  );
}

function AvatarCard({ avatar, onChanged }: { avatar: Avatar; onChanged: () => Promise<unknown> }) {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const minSelfies = useQuery(trpc.references.limits.queryOptions()).data?.min;
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [name, setName] = useState(avatar.name);
  const rename = useMutation(trpc.avatars.rename.mutationOptions({ onSuccess: () => onChanged().then(() => setEditing(false)) }));
  const remove = useMutation(trpc.avatars.delete.mutationOptions({ onSuccess: () => onChanged().then(() => setConfirming(false)) }));
  const job = avatar.latestJob;

  return (
    <li className="avatar-card" data-testid="avatar-card">
      <Link className="avatar-thumb" to={avatarPath(avatar)} tabIndex={-1} aria-hidden="true">
        {avatar.thumbnailUrl ? <img src={avatar.thumbnailUrl} alt="" width={72} height={72} /> : <span>{avatar.name.slice(0, 1).toUpperCase()}</span>}
      </Link>
      <div className="avatar-body">
        {editing ? (
          <form
            className="rename-form"
            onSubmit={(event) => {
              event.preventDefault();
              rename.mutate({ avatarId: avatar.id, name });
            }}
          >
            <label className="field">
              <span className="visually-hidden">{t("avatars.nameLabel")}</span>
              <input value={name} onChange={(e) => setName(e.target.value)} autoFocus maxLength={60} />
            </label>
            <button type="submit" className="button button-primary" disabled={rename.isPending}>
              {t("common.save")}
            </button>
            <button type="button" className="button" onClick={() => setEditing(false)}>
              {t("common.cancel")}
            </button>
            {rename.isError && (
              <p className="form-error" role="alert">
                {errorText(rename.error, t)}
              </p>
            )}
          </form>
        ) : (
          <h2 className="avatar-name">
            <Link to={avatarPath(avatar)}>
              {avatar.name}
            </Link>
          </h2>
        )}
        <p className="avatar-meta">
          <span className={`badge badge-${avatar.status}`} data-testid="avatar-status">
            {t(`avatars.status.${avatar.status}`)}
          </span>
          {avatar.status === "draft" ? <span>{draftProgress(t, avatar.selfieCount, minSelfies)}</span> : <span>{t("avatars.photos", { count: avatar.photoCount })}</span>}
          {avatar.status === "processing" && job && <span>{t("generation.count", { done: job.completedPhotos, total: job.totalPhotos })}</span>}
        </p>
      </div>
      {!editing && (
        <div className="avatar-actions">
          <button type="button" className="button button-small" onClick={() => setEditing(true)}>
            {t("avatars.rename")}
          </button>
          <button type="button" className="button button-small button-danger" onClick={() => setConfirming(true)} disabled={avatar.status === "processing"}>
            {t("common.delete")}
          </button>
        </div>
      )}
      <ConfirmDialog
        open={confirming}
        title={t("avatars.deleteConfirm", { name: avatar.name })}
        confirmLabel={t("common.delete")}
        danger
        busy={remove.isPending}
        error={remove.isError ? errorText(remove.error, t) : null}
        onConfirm={() => remove.mutate({ avatarId: avatar.id })}
        onClose={() => setConfirming(false)}
      >
        <p className="muted">{t("avatars.deleteHint")}</p>
      </ConfirmDialog>
    </li>
  );
}
