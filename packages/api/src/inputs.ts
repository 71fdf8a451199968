import type { MessageKey } from "@pinglass/core";
import { maxRowId } from "@pinglass/db";
import { z } from "zod";

/** Shared input shapes; messages are keys of @pinglass/core's catalogue, translated by the formatter. */

/** An id of one of our rows: a PostgreSQL integer (a larger number would reach the database and fail there). */
export const id = z.number({ message: "errors.invalidInput" }).int().positive().max(maxRowId, { message: "errors.invalidInput" });

/**
 * The page direction tRPC's infinite queries (the web app's lists) put next to `cursor`; a strict
 * input must take it. Our pages only go forward, so it changes nothing.
 */
export const pageDirection = z.enum(["forward", "backward"], { message: "errors.invalidInput" }).optional();

/**
 * Control characters (C0, DEL, C1) and lone UTF-16 surrogates: PostgreSQL refuses NUL in text, and
 * none of them belongs in a name, an e-mail address or a log line.
 */
const unprintable = /[\p{Cc}\p{Cs}]/u;

/** Every free-text input: a string without control characters, refused with `message` (also when it is not a string). */
export const plainText = (message: MessageKey = "errors.invalidInput", typeMessage: MessageKey = message) =>
  z.string({ message: typeMessage }).refine((value) => !unprintable.test(value), { message });
