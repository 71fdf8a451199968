import type { RouterOutputs } from "@pinglass/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useTRPC } from "../trpc.ts";
import { ErrorState, Loading } from "../ui/states.tsx";

type Avatar = RouterOutputs["avatars"]["list"][number];

export function AvatarsScreen() {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const avatars = useQuery(trpc.avatars.list.queryOptions());
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.avatars.list.queryKey() });
  const create = useMutation(trpc.avatars.create.mutationOptions({ onSuccess: invalidate }));

  return (
    <section aria-labelledby="avatars-title">
      <div className="section-head">
        <h1 id="avatars-title">{t("avatars.title")}</h1>
        <button type="button" className="button button-primary" onClick={() => create.mutate({})} disabled={create.isPending}>
          {t("avatars.create")}
        </button>
      </div>
      {create.isError && <p className="form-error" role="alert">{create.error.message}</p>}
      {avatars.isPending && <Loading />}
      {avatars.isError && <ErrorState message={avatars.error.message} onRetry={() => void avatars.refetch()} />}
      {avatars.isSuccess && avatars.data.length === 0 && <p className="empty">{t("avatars.empty")}</p>}
      {avatars.isSuccess && avatars.data.length > 0 && (
        <ul className="avatar-grid">
          {avatars.data.map((avatar) => (
            <AvatarCard key={avatar.id} avatar={avatar} onChanged={invalidate} />
          ))}
        </ul>
      )}
    </section>
  );
}

function AvatarCard({ avatar, onChanged }: { avatar: Avatar; onChanged: () => Promise<unknown> }) {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(avatar.name);
  const rename = useMutation(trpc.avatars.rename.mutationOptions({ onSuccess: () => onChanged().then(() => setEditing(false)) }));
  const remove = useMutation(trpc.avatars.delete.mutationOptions({ onSuccess: onChanged }));

  return (
    <li className="avatar-card" data-testid="avatar-card">
      <div className="avatar-thumb" aria-hidden="true">
        {avatar.name.slice(0, 1).toUpperCase()}
      </div>
      <div className="avatar-body">
        {editing ? (
          <form
            className="rename-form"
            onSubmit={(event) => {
              event.preventDefault();
              rename.mutate({ avatarId: avatar.id, name });
            }}
          >
            <label>
              <span className="visually-hidden">{t("avatars.nameLabel")}</span>
              <input value={name} onChange={(e) => setName(e.target.value)} autoFocus maxLength={80} />
            </label>
            <button type="submit" className="button button-primary" disabled={rename.isPending}>
              {t("common.save")}
            </button>
            <button type="button" className="button" onClick={() => setEditing(false)}>
              {t("common.cancel")}
            </button>
            {rename.isError && <p className="form-error" role="alert">{rename.error.message}</p>}
          </form>
        ) : (
          <h2 className="avatar-name">{avatar.name}</h2>
        )}
        <p className="avatar-meta">
          <span className={`badge badge-${avatar.status}`}>{t(`avatars.status.${avatar.status}`)}</span>
          <span>{t("avatars.photos", { count: avatar.photoCount })}</span>
        </p>
        {!editing && (
          <div className="avatar-actions">
            <button type="button" className="button" onClick={() => setEditing(true)}>
              {t("avatars.rename")}
            </button>
            <button
              type="button"
              className="button button-danger"
              disabled={remove.isPending}
              onClick={() => {
                if (window.confirm(t("avatars.deleteConfirm", { name: avatar.name }))) remove.mutate({ avatarId: avatar.id });
              }}
            >
              {t("common.delete")}
            </button>
          </div>
        )}
        {remove.isError && <p className="form-error" role="alert">{remove.error.message}</p>}
      </div>
    </li>
  );
}
