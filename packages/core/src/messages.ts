/**
 * Every message the server shows a person, in both languages. The web app has its own catalogue
 * for its screens; these are the texts that arrive in API errors.
 */
const ru = {
  "errors.internal": "Что-то пошло не так. Попробуйте ещё раз через минуту.",
  "errors.invalidInput": "Проверьте введённые данные.",
  "errors.unauthorized": "Сессия истекла. Обновите страницу, чтобы войти снова.",
  "errors.tooManyRequests": "Слишком много запросов. Подождите немного и попробуйте снова.",
  "errors.deviceId.invalid": "Неверный идентификатор устройства: нужен UUID.",
  "errors.avatar.notFound": "Аватар не найден.",
  "errors.avatar.nameEmpty": "Введите имя аватара.",
  "errors.avatar.nameTooLong": "Имя аватара — не длиннее {max} символов.",
  "errors.avatar.busy": "Аватар сейчас генерирует фото — дождитесь окончания.",
  "errors.job.notFound": "Задача генерации не найдена.",
  "errors.photo.notFound": "Фото не найдено.",
  "errors.cursor.invalid": "Неверный курсор страницы.",
} as const;

export type MessageKey = keyof typeof ru;

const en: Record<MessageKey, string> = {
  "errors.internal": "Something went wrong. Please try again in a minute.",
  "errors.invalidInput": "Please check what you entered.",
  "errors.unauthorized": "Your session has expired. Reload the page to sign in again.",
  "errors.tooManyRequests": "Too many requests. Please wait a little and try again.",
  "errors.deviceId.invalid": "Invalid device id: a UUID is required.",
  "errors.avatar.notFound": "Avatar not found.",
  "errors.avatar.nameEmpty": "Enter a name for the avatar.",
  "errors.avatar.nameTooLong": "The avatar name can be at most {max} characters.",
  "errors.avatar.busy": "This avatar is generating photos right now; wait until it finishes.",
  "errors.job.notFound": "Generation job not found.",
  "errors.photo.notFound": "Photo not found.",
  "errors.cursor.invalid": "Invalid page cursor.",
};

export const messages: Record<"ru" | "en", Record<MessageKey, string>> = { ru, en };
