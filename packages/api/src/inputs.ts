import { z } from "zod";

/** Shared input shapes; messages are keys of @pinglass/core's catalogue, translated by the formatter. */
export const id = z.number({ message: "errors.invalidInput" }).int().positive();
