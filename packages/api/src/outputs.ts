import { avatarStatuses, jobStatuses, paymentProviders, paymentStatuses } from "@pinglass/db";
import { styleIds } from "@pinglass/generation";
import { z } from "zod";

/**
 * The answers of the procedures, as zod schemas: each procedure's `.output(...)`, so its type (the
 * typed client), its OpenAPI document and what goes on the wire come from one place. Answers are
 * plain JSON; a timestamp is an ISO 8601 string in UTC. The answers read most often (the pages of
 * photos and avatars, session.me) are compiled by zod (z.compile: straight-line code, the same
 * result, the runtime parser's errors): about +4 % on `photos.list` in `pnpm bench`.
 */

/** An English description and its Russian translation (the reference page exists in both languages). */
export const described = (en: string, ru: string) => ({ description: en, "x-description-ru": ru });

/**
 * A moment in time: the Date a domain function returns, answered as an ISO 8601 string. Typed and
 * documented as a date-time string; toISOString writes a valid one, so it is not parsed again
 * (z.iso.datetime's check cost a microsecond a timestamp on every page of photos).
 */
export const timestamp = z
  .date()
  .transform((date) => date.toISOString())
  .pipe(z.string().meta({ format: "date-time" }))
  .meta(described("A moment in time, ISO 8601 in UTC (2026-01-31T09:30:00.000Z).", "Момент времени, ISO 8601 в UTC (2026-01-31T09:30:00.000Z)."));

const rowId = z.number().int().positive();
/** A link we sign for a short while (about an hour); null when there is nothing to link to. */
const signedUrl = z.string().nullable().meta(described("A signed link valid for about an hour; ask again for a fresh one.", "Подписанная ссылка, действует около часа; за новой — повторите запрос."));
const nextCursor = rowId.nullable().meta(described("Pass it back as `cursor` for the next page; null on the last page.", "Передайте его как `cursor` за следующей страницей; null на последней."));
const bilingual = z.object({ ru: z.string(), en: z.string() });

export const sessionOutput = z.object({
  token: z.string().meta(described("The session token: send it as `Authorization: Bearer <token>`.", "Токен сессии: отправляйте его как `Authorization: Bearer <token>`.")),
  expiresAt: timestamp,
  userId: rowId,
});

export const deviceSessionOutput = sessionOutput.extend({
  deviceId: z.uuid().meta(described("The device id to keep and send next time: it changes on every start.", "Идентификатор устройства, который нужно сохранить и прислать в следующий раз: он меняется при каждом входе.")),
});

export const meOutput = z.compile(z.object({
  user: z.object({ id: rowId, telegramUserId: z.number().int().nullable(), createdAt: timestamp.nullable() }),
  hasPaid: z.boolean(),
  paidPhotosets: z
    .array(z.object({ paymentId: rowId, tierId: z.string().nullable(), photoCount: z.number().int() }))
    .meta(described("Paid photosets no generation has used yet, oldest first.", "Оплаченные фотосеты, которые ещё не использованы, старые первыми.")),
}));

export const jobOutput = z.object({
  id: rowId,
  avatarId: rowId.nullable(),
  styleId: z.string().nullable(),
  status: z.enum(jobStatuses).nullable(),
  totalPhotos: z.number().int(),
  completedPhotos: z.number().int(),
  errorMessage: z.string().nullable(),
  createdAt: timestamp.nullable(),
  updatedAt: timestamp.nullable(),
});

/** An avatar's latest job, as the avatar lists it: the job without its avatar id and last change. */
export const jobSummaryOutput = jobOutput.omit({ avatarId: true, updatedAt: true });

export const avatarOutput = z.object({
  id: rowId,
  name: z.string(),
  status: z.enum(avatarStatuses),
  thumbnailUrl: signedUrl,
  createdAt: timestamp.nullable(),
  updatedAt: timestamp.nullable(),
  photoCount: z.number().int(),
  selfieCount: z.number().int().meta(described("The avatar's selfies: a draft needs the minimum of references.limits before a photoset.", "Селфи аватара: черновику до фотосета нужен минимум из references.limits.")),
  latestJob: jobSummaryOutput.nullable(),
});

export const avatarPageOutput = z.compile(z.object({ items: z.array(avatarOutput), nextCursor }));

export const photoOutput = z.object({
  id: rowId,
  avatarId: rowId.nullable(),
  jobId: rowId.nullable(),
  slotId: rowId.nullable(),
  styleId: z.string().nullable(),
  sceneId: z.string().nullable(),
  prompt: z.string().nullable(),
  imageUrl: signedUrl,
  thumbnailUrl: signedUrl,
  downloadUrl: signedUrl.meta(described("A signed link that downloads the photo as a file.", "Подписанная ссылка, которая скачивает фото файлом.")),
  createdAt: timestamp.nullable(),
  favouritedAt: timestamp.nullable().meta(described("When the owner marked the photo a favourite; null when it is not one.", "Когда владелец отметил фото как избранное; null, если не отмечал.")),
});

export const photoPageOutput = z.compile(z.object({ items: z.array(photoOutput), nextCursor }));

export const referenceOutput = z.object({
  id: rowId,
  avatarId: rowId,
  url: signedUrl,
  thumbnailUrl: signedUrl,
  width: z.number().int(),
  height: z.number().int(),
  sizeBytes: z.number().int(),
  createdAt: timestamp,
  verdict: z
    .enum(["ok", "otherPerson", "unchecked"])
    .meta(described("The face checks' word on the selfie: `ok`; `otherPerson` when the avatar's other selfies show someone else (it does not count); `unchecked` for a selfie from before face checks (it counts).", "Вердикт проверки лица: `ok`; `otherPerson`, когда остальные селфи аватара показывают другого человека (не засчитывается); `unchecked` — селфи до появления проверок (засчитывается).")),
});


export const stylesOutput = z.object({
  styles: z.array(z.object({ id: z.enum(styleIds), name: bilingual, description: bilingual, previewUrl: z.string(), sceneCount: z.number().int() })),
  provider: z.object({ name: z.enum(["local", "kie", "replicate"]), offline: z.boolean(), label: bilingual }),
});

/** One photo landing, a step of a job's progress stream (generation.progress, a subscription). */
export const jobProgressOutput = z.object({
  jobId: rowId,
  status: z.enum(jobStatuses),
  completedPhotos: z.number().int(),
  totalPhotos: z.number().int(),
  errorMessage: z.string().nullable(),
  newPhotos: z.array(photoOutput),
});

export const deletedOutput = z.object({ deleted: z.literal(true) });

export const paymentOutput = z.object({
  paymentId: rowId,
  tierId: z.string().nullable(),
  photoCount: z.number().int(),
  amount: z.string().meta(described("The amount as exact decimal text (\"999.00\"): roubles, or whole Stars.", "Сумма точным десятичным текстом («999.00»): рубли или целые Stars.")),
  amountKopecks: z.number().int(),
  currency: z.string().meta(described("RUB, or XTR for Telegram Stars.", "RUB или XTR для Telegram Stars.")),
  status: z.enum(paymentStatuses),
  refundedAmount: z.string(),
  errorMessage: z.string().nullable().meta(described("The bank's reason when the payment did not go through.", "Причина от банка, если платёж не прошёл.")),
  createdAt: timestamp.nullable(),
  used: z.boolean().meta(described("True once a photoset has used this payment.", "true, когда платёж уже потрачен на фотосет.")),
  provider: z.enum(paymentProviders),
  canceledByOwner: z.boolean(),
  refunds: z.array(z.object({ amount: z.string(), failedPhotos: z.number().int(), status: z.enum(["pending", "succeeded", "failed"]), createdAt: timestamp })),
});

export const createdPaymentOutput = z.discriminatedUnion("method", [
  z.object({ method: z.literal("card"), paymentId: rowId, paymentUrl: z.string().meta(described("The bank's payment page: send the buyer there.", "Страница оплаты банка: отправьте туда покупателя.")) }),
  z.object({ method: z.literal("stars"), paymentId: rowId, invoiceUrl: z.string().meta(described("A Telegram Stars invoice link.", "Ссылка на счёт в Telegram Stars.")) }),
]);
